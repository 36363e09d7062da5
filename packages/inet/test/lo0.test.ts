import { msec, sec } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { InetError, formatAddr, icmpFor, inetFor, ping, udpEchoService, udpFor } from '../src/index.js';
import { setup } from './helpers.js';

describe('IPv4 on lo0', () => {
  it('configures 127.0.0.1/8 on lo0 at attach, with connected and local routes', () => {
    const { host } = setup();
    const inet = inetFor(host);
    expect(inet.addresses().map((a) => `${a.ifp.name} ${formatAddr(a.addr)}/${a.prefixLen}`)).toEqual([
      'lo0 127.0.0.1/8',
    ]);
    expect(inet.routes.list().map((r) => `${r.destination} ${r.gateway} ${r.interface} ${r.kind}`)).toEqual([
      '127.0.0.1/32 local lo0 local',
      '127.0.0.0/8 link lo0 connected',
    ]);
  });

  it('pings 127.0.0.1 with 56 data bytes', async () => {
    const { sim, host } = setup();
    const p = ping(host, '127.0.0.1', { size: 56, id: 7, seq: 1 });
    expect(sim.runUntilIdle()).toBe(true);
    const r = await p;
    expect(r.from).toBe(0x7f000001);
    expect(r.id).toBe(7);
    expect(r.seq).toBe(1);
    expect(r.bytes).toBe(56);
    expect(r.ttl).toBe(64);
    expect(r.rtt).toBeGreaterThan(0);
    expect(r.rtt).toBe(r.receivedAt - r.sentAt);
    const icmp = icmpFor(host);
    expect(icmp.stats.inByType[8]).toBe(1);
    expect(icmp.stats.inByType[0]).toBe(1);
    expect(icmp.stats.echoRepliesMatched).toBe(1);
    expect(inetFor(host).stats.drops).toEqual({});
    expect(host.lo0!.counters.drops).toEqual({});
    host.pool.assertQuiescent();
  });

  it('pings with 4000 data bytes over an MTU of 1500: request and reply are fragmented and reassembled', async () => {
    const { sim, host } = setup();
    host.lo0!.setMtu(1500);
    const p = ping(host, '127.0.0.1', { size: 4000, seq: 3 });
    sim.runUntilIdle();
    const r = await p;
    expect(r.bytes).toBe(4000);
    const st = inetFor(host).stats;
    // 4008 bytes of ICMP in 1480-byte pieces: 3 fragments each way.
    expect(st.fragmented).toBe(2);
    expect(st.fragmentsSent).toBe(6);
    expect(st.fragmentsReceived).toBe(6);
    expect(st.reassembled).toBe(2);
    expect(st.drops).toEqual({});
    expect(host.lo0!.counters.opackets).toBe(6);
    host.pool.assertQuiescent();
  });

  it('fails a ping with DF set and a size beyond the MTU with msgsize, counted', async () => {
    const { host } = setup();
    host.lo0!.setMtu(1500);
    await expect(ping(host, '127.0.0.1', { size: 2000, df: true })).rejects.toMatchObject({ code: 'msgsize' });
    expect(inetFor(host).stats.drops).toEqual({ 'ip.output.cantfrag': 1 });
    host.pool.assertQuiescent();
  });

  it('times out a ping to an address that does not answer', async () => {
    const { sim, host } = setup();
    const p = ping(host, '127.0.0.2', { timeout: msec(500) });
    // 127.0.0.2 is on lo0's connected network but is not ours: the datagram is not for us.
    sim.runUntilIdle();
    await expect(p).rejects.toBeInstanceOf(InetError);
    await expect(p).rejects.toMatchObject({ code: 'timeout' });
    expect(inetFor(host).stats.drops).toEqual({ 'ip.notforus': 1 });
    expect(host.now()).toBeGreaterThanOrEqual(msec(500));
    host.pool.assertQuiescent();
  });

  it('runs a UDP echo service', async () => {
    const { sim, host } = setup();
    const echo = udpEchoService(host, 7);
    const s = udpFor(host).socket();
    s.connect('127.0.0.1', 7);
    expect(s.localPort).toBe(49152);
    expect(s.localAddress).toBe(0x7f000001);
    expect(s.send(new TextEncoder().encode('hello'))).toBe(true);
    const reply = s.recv();
    sim.runUntilIdle();
    const msg = await reply;
    expect(new TextDecoder().decode(msg.data)).toBe('hello');
    expect(msg.srcPort).toBe(7);
    expect(msg.dstPort).toBe(49152);
    expect(echo.stats).toEqual({ received: 1, dropped: 0, sent: 1, errors: 0, inputHolds: 0 });
    s.close();
    echo.close();
    host.pool.assertQuiescent();
  });

  it('answers a closed port with ICMP port unreachable, reported to the connected socket', async () => {
    const { sim, host } = setup();
    const s = udpFor(host).socket();
    s.connect('127.0.0.1', 9999);
    s.send(new Uint8Array(10));
    const r = s.recv();
    sim.runUntilIdle();
    await expect(r).rejects.toMatchObject({ code: 'unreachable' });
    expect(udpFor(host).stats.drops).toEqual({ 'udp.noport': 1 });
    expect(icmpFor(host).stats.outByType[3]).toBe(1);
    expect(icmpFor(host).stats.inByType[3]).toBe(1);
    expect(s.stats.errors).toBe(1);
    s.close();
    host.pool.assertQuiescent();
  });

  it('rate-limits port unreachables with a token bucket on the clock', () => {
    const { sim, host } = setup({ icmp: { errorRate: 10, errorBurst: 5 } });
    const s = udpFor(host).socket();
    for (let i = 0; i < 20; i++) s.sendTo(new Uint8Array(4), '127.0.0.1', 9999);
    sim.runUntilIdle();
    const icmp = icmpFor(host);
    expect(icmp.stats.outByType[3]).toBe(5);
    expect(icmp.stats.rateLimited).toBe(15);
    expect(udpFor(host).stats.drops).toEqual({ 'udp.noport': 20 });
    // One second later the bucket has refilled (10/s, capped at the burst of 5).
    sim.runFor(sec(1));
    for (let i = 0; i < 20; i++) s.sendTo(new Uint8Array(4), '127.0.0.1', 9999);
    sim.runUntilIdle();
    expect(icmp.stats.outByType[3]).toBe(10);
    expect(icmp.stats.rateLimited).toBe(30);
    s.close();
    host.pool.assertQuiescent();
  });
});
