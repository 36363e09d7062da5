/**
 * Issue 8 regressions in IPv4/ICMP/UDP: byte-bounded socket buffers, RFC 1122 source checks, an echo
 * service that cannot be a loop or an amplifier, argument validation, foreign mbufs, interface detach.
 */
import { M_BCAST, M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_TCP_UDP_BAD, M_CSUM_UDPv4, sec } from '@ifnet/core';
import { arpFor, createEpair, etherOutputFrame } from '@ifnet/ether';
import { describe, expect, it } from 'vitest';
import {
  type InetError,
  UDP_DEFAULT_RCVBUF,
  inetFor,
  icmpFor,
  parseAddr,
  ping,
  udpEchoService,
  udpFor,
} from '../src/index.js';
import { bytes, createChannel, echoRequest, setup, udpPacket } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

function world(mbufs?: { mbufs?: number; clusters?: number }) {
  const w = setup({}, ['a'], mbufs);
  const ch = createChannel(w.host);
  inetFor(w.host).addAddress(ch.ifp, `${US}/24`);
  return { ...w, ch, inet: inetFor(w.host), udp: udpFor(w.host) };
}

function code(f: () => unknown): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return (e as InetError).code ?? (e as Error).name;
  }
}

describe('UDP socket buffers are bounded in bytes (SO_RCVBUF)', () => {
  it('a socket nobody reads pins at most its SO_RCVBUF of the pool, whatever the datagram count', () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket({ receiveQueue: 1000 }).bind(9);
    expect(s.receiveBuffer).toBe(UDP_DEFAULT_RCVBUF);
    // 1400-byte datagrams land in clusters: 256 + 2048 bytes of storage each.
    for (let i = 0; i < 200; i++) ch.inject(udpPacket(PEER, US, 1000, 9, bytes(1400)));
    sim.runUntilIdle();
    const per = host.pool.msize + host.pool.mclbytes;
    expect(s.queued).toBe(Math.floor(UDP_DEFAULT_RCVBUF / per));
    expect(s.queuedBytes).toBeLessThanOrEqual(UDP_DEFAULT_RCVBUF);
    expect(udp.stats.drops['udp.fullsock']).toBe(200 - s.queued);
    expect(s.stats.dropped).toBe(200 - s.queued);
    expect(ch.ifp.counters.drops['udp.fullsock']).toBe(200 - s.queued);
    expect(host.pool.stats.clusters.inUse).toBe(s.queued);
    s.close();
    host.pool.assertQuiescent();
  });

  it('an empty buffer takes one datagram larger than itself; a smaller SO_RCVBUF applies to what comes next', async () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket({ receiveBuffer: 1024 }).bind(9);
    ch.inject(udpPacket(PEER, US, 1000, 9, bytes(1400)));
    ch.inject(udpPacket(PEER, US, 1000, 9, bytes(10)));
    sim.runUntilIdle();
    expect(s.queued).toBe(1);
    expect(udp.stats.drops).toEqual({ 'udp.fullsock': 1 });
    const got = s.recv();
    sim.runUntilIdle();
    const msg = await got;
    expect(msg.data.length).toBe(1400);
    expect([msg.srcAddr, msg.srcPort, msg.dstAddr, msg.dstPort]).toEqual([parseAddr(PEER), 1000, parseAddr(US), 9]);
    expect(s.queuedBytes).toBe(0);
    s.receiveBuffer = 64 * 1024;
    expect(s.receiveBuffer).toBe(65536);
    for (const bad of [Number.NaN, 0, -1, 1.5, 3 * 1024 * 1024]) {
      expect(
        code(() => {
          s.receiveBuffer = bad;
        }),
      ).toBe('invalid');
    }
    expect(code(() => udp.socket({ receiveQueue: 0 }))).toBe('invalid');
    expect(code(() => udp.socket({ sendBuffer: 70000 }))).toBe('invalid');
    s.close();
    host.pool.assertQuiescent();
  });

  it('SO_SNDBUF bounds the datagram a send accepts (EMSGSIZE)', () => {
    const { host, udp } = world();
    const s = udp.socket({ sendBuffer: 512 }).connect(PEER, 7);
    expect(code(() => s.send(new Uint8Array(513)))).toBe('msgsize');
    const m = host.pool.devget(new Uint8Array(600), 0, 600, null, 64)!;
    expect(code(() => s.send(m))).toBe('msgsize');
    expect(s.send(new Uint8Array(512))).toBe(true);
    host.pool.assertQuiescent();
  });
});

describe('RFC 1122 3.2.1.3: illegal sources are dropped and counted', () => {
  it('drops broadcast, network, multicast, zero, this-network and loopback sources with their reasons', () => {
    const { sim, host, ch, inet, udp } = world();
    const s = udp.socket().bind(9);
    const cases: [string, string, string][] = [
      ['10.0.0.255', US, 'ip.badsrc.bcast'], // our directed broadcast
      ['10.0.0.0', US, 'ip.badsrc.bcast'], // our network address (the old broadcast)
      ['255.255.255.255', US, 'ip.badsrc'],
      ['224.0.0.1', US, 'ip.badsrc'],
      ['240.0.0.1', US, 'ip.badsrc'],
      ['0.0.0.0', US, 'ip.badsrc.zero'], // {0,0} is for bootstrap broadcasts only
      ['0.0.0.7', '10.0.0.255', 'ip.badsrc.zero'], // {0,host}: never
      ['127.0.0.1', US, 'ip.martian'],
    ];
    for (const [src, dst] of cases) ch.inject(udpPacket(src, dst, 1000, 9, bytes(4)));
    sim.runUntilIdle();
    const want: Record<string, number> = {};
    for (const [, , r] of cases) want[r] = (want[r] ?? 0) + 1;
    expect(inet.stats.drops).toEqual(want);
    expect(s.queued).toBe(0);
    // A bootstrap client's broadcast ({0,0} → 255.255.255.255, DHCP's shape) is legal.
    ch.inject(udpPacket('0.0.0.0', '255.255.255.255', 68, 9, bytes(4)));
    sim.runUntilIdle();
    expect(s.queued).toBe(1);
    expect(ch.sent).toHaveLength(0); // nothing answered any of them
    s.close();
    host.pool.assertQuiescent();
  });

  it('drops a link broadcast carrying a unicast IP destination (RFC 1122 3.3.6)', () => {
    const { sim, host, ch, inet } = world();
    ch.inject(echoRequest(PEER, US, 1, 1, 8), M_BCAST);
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({ 'ip.linkbcast.unicast': 1 });
    expect(ch.sent).toHaveLength(0);
    host.pool.assertQuiescent();
  });
});

describe('UDP echo cannot be made a loop or an amplifier', () => {
  it('answers a plain request, refuses broadcast, reflector and zero source ports', () => {
    const { sim, host, ch, udp } = world();
    const echo = udpEchoService(host, 7);
    ch.inject(udpPacket(PEER, US, 5000, 7, bytes(4)));
    sim.runUntilIdle();
    expect(ch.sent).toHaveLength(1);
    ch.inject(udpPacket(PEER, '10.0.0.255', 5000, 7, bytes(4)));
    ch.inject(udpPacket(PEER, '255.255.255.255', 5000, 7, bytes(4)));
    for (const port of [0, 7, 13, 17, 19, 37]) ch.inject(udpPacket(PEER, US, port, 7, bytes(4)));
    sim.runUntilIdle();
    expect(ch.sent).toHaveLength(1);
    expect(udp.stats.drops).toEqual({ 'udp.echo.refused': 8 });
    echo.close();
    host.pool.assertQuiescent();
  });

  it('two echo services facing each other exchange one datagram, not an endless stream', () => {
    const w = setup({}, ['a', 'b']);
    const [a, b] = w.hosts;
    const pair = createEpair(a, b);
    inetFor(a).addAddress(pair.a, '10.0.0.1/24');
    inetFor(b).addAddress(pair.b, '10.0.0.2/24');
    w.sim.runUntilIdle();
    const ea = udpEchoService(a, 7);
    const eb = udpEchoService(b, 7);
    // A spoofed datagram "from a:7" to b:7: b answers a:7 ... which must not answer back.
    ea.sendTo(new Uint8Array(4), '10.0.0.2', 7);
    w.sim.runFor(sec(1));
    // b's echo sees a datagram from port 7 (another reflector) and does not answer it.
    expect(udpFor(b).stats.drops).toEqual({ 'udp.echo.refused': 1 });
    expect(udpFor(a).stats.drops).toEqual({});
    expect(pair.a.counters.opackets + pair.b.counters.opackets).toBeLessThan(8);
    ea.close();
    eb.close();
    a.pool.assertQuiescent();
    b.pool.assertQuiescent();
  });
});

describe('public functions validate their arguments', () => {
  it('ping with a NaN, negative or infinite timeout (or a bad ttl) rejects at once and leaks nothing', async () => {
    const { sim, host } = world();
    for (const o of [
      { timeout: Number.NaN },
      { timeout: -1 },
      { timeout: Number.POSITIVE_INFINITY },
      { ttl: 1.5 },
      { ttl: 300 },
      { size: Number.NaN },
    ]) {
      const p = ping(host, PEER, o);
      await expect(p).rejects.toMatchObject({ code: expect.stringMatching(/invalid|msgsize/) });
    }
    expect(() => sim.runFor(sec(2))).not.toThrow();
    expect(icmpFor(host).pendingPings).toBe(0);
    host.pool.assertQuiescent();
  });

  it('socket options, ports, TTLs and ICMP rates are checked', () => {
    const { udp, host } = world();
    const s = udp.socket();
    expect(code(() => s.bind(1.5))).toBe('bad-address');
    expect(code(() => s.bind(Number.NaN))).toBe('bad-address');
    expect(
      code(() => {
        s.ttl = 0;
      }),
    ).toBe('invalid');
    expect(
      code(() => {
        s.ttl = Number.NaN;
      }),
    ).toBe('invalid');
    s.ttl = 9;
    expect(s.ttl).toBe(9);
    expect(
      code(() => {
        (s as { dontFragment: unknown }).dontFragment = 1;
      }),
    ).toBe('invalid');
    expect(code(() => s.sendTo(new Uint8Array(1), '10.0.0.2', 0))).toBe('bad-address');
    expect(code(() => icmpFor(host).setErrorRate(Number.NaN, 1))).toBe('invalid');
    expect(code(() => icmpFor(host).setErrorRate(1, -1))).toBe('invalid');
  });

  it('refuses mbufs of another host at every output API before taking them (MbufError foreign)', () => {
    const w = setup({}, ['a', 'b']);
    const [a, b] = w.hosts;
    const pair = createEpair(a, b);
    inetFor(a).addAddress(pair.a, '10.0.0.1/24');
    w.sim.runUntilIdle();
    const m = b.pool.devget(new Uint8Array(20), 0, 20, null, 64)!;
    const s = udpFor(a).socket();
    expect(code(() => s.sendTo(m, '10.0.0.2', 9))).toBe('foreign');
    expect(code(() => s.send(m))).toBe('foreign');
    expect(code(() => udpFor(a).output(m, parseAddr(US), 9, parseAddr(PEER), 9, {}))).toBe('foreign');
    expect(code(() => inetFor(a).output(m, 0, parseAddr(PEER), 17))).toBe('foreign');
    expect(code(() => pair.a.output(m, 0x0800, parseAddr(PEER)))).toBe('foreign');
    expect(code(() => etherOutputFrame(pair.a, m, 0x0800, pair.b.lladdr))).toBe('foreign');
    expect(m.pkthdr.len).toBe(20); // untouched: still the caller's
    b.pool.freem(m);
    // Bad numbers to ip_output: refused, the mbuf freed.
    const own = () => a.pool.devget(new Uint8Array(20), 0, 20, null, 64)!;
    expect(code(() => inetFor(a).output(own(), 0, Number.NaN, 17))).toBe('invalid');
    expect(code(() => inetFor(a).output(own(), 0, parseAddr(PEER), 300))).toBe('invalid');
    expect(code(() => inetFor(a).output(own(), 0, parseAddr(PEER), 17, { ttl: 1.5 }))).toBe('invalid');
    a.pool.assertQuiescent();
    b.pool.assertQuiescent();
  });
});

describe('interface detach (ProtocolModule.ifDetach)', () => {
  it('drops addresses, routes, ARP entries and timers, fragments, and tells bound sockets', async () => {
    const w = setup({}, ['a', 'b']);
    const [a, b] = w.hosts;
    const pair = createEpair(a, b);
    const inet = inetFor(a);
    inet.addAddress(pair.a, '10.0.0.1/24');
    inetFor(b).addAddress(pair.b, '10.0.0.2/24');
    inet.routes.add('192.168.0.0/16', '10.0.0.2');
    w.sim.runUntilIdle();
    const pinging = ping(a, '10.0.0.2');
    w.sim.runUntilIdle();
    await pinging;
    // An incomplete ARP entry with a held packet and a timer, a half-reassembled datagram, a bound socket.
    ping(a, '10.0.0.77', { timeout: sec(10) }).catch(() => {});
    const s = udpFor(a).socket().bind(5000, '10.0.0.1');
    const errors: string[] = [];
    s.onError((e) => errors.push(e.code));
    const frag = udpPacket('10.0.0.2', '10.0.0.1', 1, 5000, bytes(64), { mf: true, id: 99 });
    const mf = a.pool.devget(frag, 0, frag.length, pair.a, 0)!;
    inet.input(mf, 0, pair.a);
    w.sim.runFor(sec(0.1));
    expect(arpFor(a).size).toBe(2);
    expect(inet.reassembly.datagrams).toBe(1);

    const detached = a.ifDetach(pair.a);
    w.sim.runFor(sec(0.1));
    await detached;
    expect(inet.addresses(pair.a)).toEqual([]);
    expect(inet.isLocal(parseAddr('10.0.0.1'))).toBe(false);
    expect(inet.routes.list().some((r) => r.interface === pair.a.name)).toBe(false);
    expect(inet.routes.lookup(parseAddr('192.168.1.1'))).toBeUndefined();
    expect(arpFor(a).size).toBe(0);
    expect(arpFor(a).addresses(pair.a)).toEqual([]);
    expect(inet.reassembly.datagrams).toBe(0);
    expect(inet.stats.drops['ip.frag.detached']).toBe(1);
    expect(errors).toEqual(['bad-address']);
    expect(code(() => s.sendTo(new Uint8Array(1), '10.0.0.2', 9))).toBe('bad-address');
    s.close();
    w.sim.runFor(sec(20)); // no timer of the detached interface fires
    a.pool.assertQuiescent();
  });
});

describe('receive checksum offload (csum_flags)', () => {
  it('skips the software sums the hardware verified and drops what it found bad, counted', () => {
    const { sim, host, ch, inet, udp } = world();
    const s = udp.socket().bind(9);
    const send = (pkt: Uint8Array, flags: number) => {
      const m = host.pool.devget(pkt, 0, pkt.length, ch.ifp)!;
      m.pkthdr.csumFlags = flags;
      ch.injectMbuf(m);
    };
    // Both checksums wrong in the bytes, but verified by the hardware: delivered (no software sum).
    const wrong = udpPacket(PEER, US, 1000, 9, bytes(8), { badChecksum: true }, 'bad');
    send(wrong, M_CSUM_IPv4 | M_CSUM_UDPv4);
    // Correct bytes, but the hardware says bad: dropped under the protocol's own reason.
    const good = udpPacket(PEER, US, 1000, 9, bytes(8));
    send(good, M_CSUM_IPv4 | M_CSUM_IPv4_BAD);
    send(good, M_CSUM_IPv4 | M_CSUM_UDPv4 | M_CSUM_TCP_UDP_BAD);
    // No verdict: software sums, which catch the bad bytes.
    send(wrong, 0);
    sim.runUntilIdle();
    expect(s.queued).toBe(1);
    expect(inet.stats.drops).toEqual({ 'ip.badsum': 2 });
    expect(udp.stats.drops).toEqual({ 'udp.badsum': 1 });
    s.close();
    host.pool.assertQuiescent();
  });
});
