import { sec } from '@ifnet/core';
import { arpFor, createEpair, formatMac } from '@ifnet/ether';
import { describe, expect, it } from 'vitest';
import { icmpFor, inetFor, parseAddr, ping, udpEchoService, udpFor } from '../src/index.js';
import { setup } from './helpers.js';

function twoHosts(mtu = 1500, net = '10.0.0') {
  const w = setup({}, ['a', 'b']);
  const [a, b] = w.hosts;
  const pair = createEpair(a, b, { mtu });
  inetFor(a).addAddress(pair.a, `${net}.1/24`);
  inetFor(b).addAddress(pair.b, `${net}.2/24`);
  // Let the gratuitous ARP announcements cross.
  w.sim.runUntilIdle();
  return { ...w, a, b, ifa: pair.a, ifb: pair.b };
}

function quiescent(...hosts: { pool: { assertQuiescent(): void } }[]) {
  for (const h of hosts) h.pool.assertQuiescent();
}

describe('IPv4 between two hosts over an epair', () => {
  it('resolves the peer with ARP and pings it (56 bytes)', async () => {
    const { sim, a, b, ifa, ifb } = twoHosts();
    const p = ping(a, '10.0.0.2', { seq: 1 });
    sim.runUntilIdle();
    const r = await p;
    expect(r.from).toBe(parseAddr('10.0.0.2'));
    expect(r.bytes).toBe(56);
    expect(r.rtt).toBeGreaterThan(0);
    const e = arpFor(a).lookup(ifa, parseAddr('10.0.0.2'));
    expect(e?.state).toBe('resolved');
    expect(e?.mac).toBe(formatMac(ifb.lladdr));
    expect(icmpFor(b).stats.inByType[8]).toBe(1);
    expect(inetFor(a).stats.drops).toEqual({});
    expect(inetFor(b).stats.drops).toEqual({});
    quiescent(a, b);
  });

  it('pings at addresses above 128.0.0.0 (the echo path carries them in signed form)', async () => {
    const { sim, a, b, ifa } = twoHosts(1500, '192.168.1');
    const p = ping(a, '192.168.1.2', { seq: 1 });
    sim.runUntilIdle();
    const r = await p;
    expect(r.from).toBe(parseAddr('192.168.1.2'));
    expect(icmpFor(b).stats.echoReplied).toBe(1);
    expect(inetFor(a).selectSource(parseAddr('192.168.1.2'))).toBe(parseAddr('192.168.1.1'));
    // ip_output takes either form of an address; both reach the same ARP entry.
    for (const dst of [parseAddr('192.168.1.2'), parseAddr('192.168.1.2') | 0]) {
      const m = a.pool.devget(new Uint8Array(8), 0, 8, null, 64)!;
      expect(inetFor(a).output(m, 0, dst, 253)).toBe('ok');
    }
    sim.runUntilIdle();
    expect(arpFor(a).lookup(ifa, parseAddr('192.168.1.2'))?.state).toBe('resolved');
    expect(inetFor(b).stats.drops).toEqual({ 'ip.noproto': 2 });
    expect(() => inetFor(a).output(a.pool.getcl()!, 0, 2 ** 32, 253)).toThrow();
    quiescent(a, b);
  });

  it('pings with 4000 bytes: fragmented over the 1500-byte MTU both ways', async () => {
    const { sim, a, b } = twoHosts();
    const p = ping(a, '10.0.0.2', { size: 4000 });
    sim.runUntilIdle();
    expect((await p).bytes).toBe(4000);
    expect(inetFor(a).stats.fragmentsSent).toBe(3);
    expect(inetFor(b).stats.fragmentsReceived).toBe(3);
    expect(inetFor(b).stats.fragmentsSent).toBe(3);
    expect(inetFor(a).stats.reassembled).toBe(1);
    expect(inetFor(b).stats.reassembled).toBe(1);
    quiescent(a, b);
  });

  it('pings with the largest datagram IPv4 allows (65507 data bytes, 45 fragments each way)', async () => {
    const { sim, a, b, ifa } = twoHosts();
    // With a cold ARP cache, ARP holds only 4 packets (its hold queue) while it resolves: the first 41
    // fragments are pushed out, the datagram can never be completed and times out at b after 30 s.
    const cold = ping(a, '10.0.0.2', { size: 65507, timeout: sec(5) });
    sim.runUntilIdle();
    await expect(cold).rejects.toMatchObject({ code: 'timeout' });
    expect(ifa.counters.drops['arp.hold-overflow']).toBe(41);
    expect(inetFor(b).stats.drops).toEqual({ 'ip.frag.timeout': 4 });
    expect(icmpFor(b).stats.outByType[11]).toBe(0); // fragment 0 never arrived: no time exceeded
    // Now that ARP knows b, the same ping goes through.
    const warm = ping(a, '10.0.0.2', { size: 65507, timeout: sec(5) });
    sim.runUntilIdle();
    expect((await warm).bytes).toBe(65507);
    expect(inetFor(a).stats.fragmentsSent).toBe(90);
    expect(inetFor(b).stats.fragmentsSent).toBe(45);
    expect(inetFor(a).stats.reassembled).toBe(1);
    expect(inetFor(b).stats.reassembled).toBe(1);
    quiescent(a, b);
  });

  it('echoes UDP and answers a closed port with port unreachable', async () => {
    const { sim, a, b } = twoHosts();
    const echo = udpEchoService(b, 7);
    const s = udpFor(a).socket().connect('10.0.0.2', 7);
    expect(s.localAddress).toBe(parseAddr('10.0.0.1'));
    s.send(new TextEncoder().encode('over the pair'));
    const got = s.recv();
    sim.runUntilIdle();
    const msg = await got;
    expect(new TextDecoder().decode(msg.data)).toBe('over the pair');
    expect(msg.srcAddr).toBe(parseAddr('10.0.0.2'));
    expect(msg.ifp?.name).toBe('epair0a');

    const closed = udpFor(a).socket().connect('10.0.0.2', 9);
    closed.send(new Uint8Array(3));
    const err = closed.recv();
    sim.runUntilIdle();
    await expect(err).rejects.toMatchObject({ code: 'unreachable' });
    expect(udpFor(b).stats.drops).toEqual({ 'udp.noport': 1 });
    expect(icmpFor(b).stats.outByType[3]).toBe(1);
    s.close();
    closed.close();
    echo.close();
    quiescent(a, b);
  });

  it('sends to a default gateway: ARP is asked for the gateway, and its timeout reaches the ping as unreachable', async () => {
    const { sim, a, ifa } = twoHosts();
    const inet = inetFor(a);
    inet.routes.add('default', '10.0.0.254');
    expect(inet.routes.lookup(parseAddr('192.168.1.1'))?.gateway).toBe(parseAddr('10.0.0.254'));
    const p = ping(a, '192.168.1.1', { timeout: sec(10) });
    sim.runFor(sec(1) / 2);
    expect(arpFor(a).lookup(ifa, parseAddr('10.0.0.254'))?.state).toBe('incomplete');
    expect(arpFor(a).lookup(ifa, parseAddr('192.168.1.1'))).toBeUndefined();
    sim.runUntilIdle();
    await expect(p).rejects.toMatchObject({ code: 'unreachable' });
    // ARP dropped the held request; IPv4 turned it into an ICMP host unreachable to ourselves.
    expect(ifa.counters.drops['arp.timeout']).toBe(1);
    expect(icmpFor(a).stats.outByType[3]).toBe(1);
    expect(icmpFor(a).stats.errorsReported).toBe(1);
    quiescent(a);
  });

  it('sends a directed broadcast to the link broadcast address; hosts do not answer broadcast pings', async () => {
    const { sim, a, b, ifb } = twoHosts();
    const s = udpFor(b).socket().bind(5000);
    const got = s.recv();
    const tx = udpFor(a).socket();
    tx.sendTo(new Uint8Array([1, 2, 3]), '10.0.0.255', 5000);
    sim.runUntilIdle();
    const msg = await got;
    expect(msg.dstAddr).toBe(parseAddr('10.0.0.255'));
    expect(ifb.counters.imcasts).toBeGreaterThan(0);
    const p = ping(a, '10.0.0.255', { timeout: sec(1) });
    sim.runUntilIdle();
    await expect(p).rejects.toMatchObject({ code: 'timeout' });
    expect(icmpFor(b).stats.drops).toEqual({ 'icmp.bmcastecho': 1 });
    s.close();
    tx.close();
    quiescent(a, b);
  });
});
