import { M_BCAST } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { IPPROTO_UDP, icmpFor, inetFor, parseAddr, parseIcmp, parseIpv4, udpFor } from '../src/index.js';
import { bytes, echoRequest, ipPacket, udpDatagram, udpPacket, channelWorld } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

const world = () => channelWorld(US);

describe('IPv4 input: every reject is a counted drop with a reason', () => {
  it('checks length, version, header length, checksum and total length', () => {
    const { sim, host, ch, inet } = world();
    const good = udpPacket(PEER, US, 1000, 2000, bytes(20));
    const cases: [string, Uint8Array][] = [
      ['ip.tooshort', good.subarray(0, 19)],
      ['ip.badvers', Uint8Array.from(good, (b, i) => (i === 0 ? 0x65 : b))],
      ['ip.badhlen', Uint8Array.from(good, (b, i) => (i === 0 ? 0x44 : b))],
      [
        'ip.badhlen',
        ipPacket({ src: PEER, dst: US, proto: 17, options: new Array(40).fill(1) }, new Uint8Array(0)).subarray(0, 40),
      ],
      ['ip.badsum', udpPacket(PEER, US, 1000, 2000, bytes(20), { badChecksum: true })],
      ['ip.badlen', udpPacket(PEER, US, 1000, 2000, bytes(20), { totalLength: 19 })],
      ['ip.tooshort', udpPacket(PEER, US, 1000, 2000, bytes(20), { totalLength: 100 })],
      ['ip.badsrc', udpPacket('224.0.0.9', US, 1000, 2000, bytes(4))],
      ['ip.badsrc', udpPacket('255.255.255.255', US, 1000, 2000, bytes(4))],
      ['ip.martian', udpPacket('127.0.0.1', US, 1000, 2000, bytes(4))],
      ['ip.martian', udpPacket(PEER, '127.0.0.1', 1000, 2000, bytes(4))],
      ['ip.notforus', udpPacket(PEER, '10.0.0.99', 1000, 2000, bytes(4))],
      ['ip.notforus', udpPacket(PEER, '10.9.9.9', 1000, 2000, bytes(4))],
      ['ip.mcast.notjoined', udpPacket(PEER, '239.1.2.3', 1000, 2000, bytes(4))],
    ];
    for (const [, pkt] of cases) ch.inject(pkt);
    sim.runUntilIdle();
    const expected: Record<string, number> = {};
    for (const [r] of cases) expected[r] = (expected[r] ?? 0) + 1;
    expect(inet.stats.drops).toEqual(expected);
    expect(ch.ifp.counters.drops).toEqual(expected);
    expect(ch.ifp.counters.iqdrops).toBe(cases.length);
    expect(inet.stats.delivered).toBe(0);
    expect(ch.sent).toEqual([]); // none of these gets an ICMP error
    host.pool.assertQuiescent();
  });

  it('trims link padding, skips options, accepts TTL 0 for us, broadcasts and joined groups', async () => {
    const { sim, host, ch, inet } = world();
    const s = udpFor(host).socket().bind(2000);
    const padded = new Uint8Array(udpPacket(PEER, US, 1000, 2000, bytes(3)).length + 17);
    padded.set(udpPacket(PEER, US, 1000, 2000, bytes(3)));
    ch.inject(padded);
    ch.inject(
      ipPacket(
        { src: PEER, dst: US, proto: IPPROTO_UDP, options: [1, 1, 1, 0] },
        udpDatagram(PEER, US, 1000, 2000, bytes(5)),
      ),
    );
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(6), { ttl: 0 }));
    ch.inject(udpPacket(PEER, '10.0.0.255', 1000, 2000, bytes(7)));
    ch.inject(udpPacket(PEER, '255.255.255.255', 1000, 2000, bytes(8)));
    inet.joinGroup(ch.ifp, '239.1.2.3');
    ch.inject(udpPacket(PEER, '239.1.2.3', 1000, 2000, bytes(9)));
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = s.recv();
      sim.runUntilIdle();
      got.push((await r).data.length);
    }
    expect(got).toEqual([3, 5, 6, 7, 8, 9]);
    expect(inet.stats.paddingTrimmed).toBe(1);
    expect(inet.stats.withOptions).toBe(1);
    expect(inet.stats.drops).toEqual({});
    s.close();
    host.pool.assertQuiescent();
  });

  it('reads flags, fragment offset, TTL and protocol from one word: DF and TTL 255 are not fragment bits', async () => {
    const { sim, host, ch, inet } = world();
    const s = udpFor(host).socket().bind(2000);
    // DF (0x4000) with every TTL bit set beside it: neither may leak into the fragment test or the protocol.
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(4), { df: true, ttl: 255 }));
    // A first fragment (MF) and a last one (8 bytes in): held for reassembly, delivered whole.
    const whole = udpDatagram(PEER, US, 1000, 2000, bytes(12));
    ch.inject(ipPacket({ src: PEER, dst: US, proto: IPPROTO_UDP, id: 9, mf: true, ttl: 255 }, whole.subarray(0, 8)));
    ch.inject(ipPacket({ src: PEER, dst: US, proto: IPPROTO_UDP, id: 9, fragOffset: 8, ttl: 255 }, whole.subarray(8)));
    const got: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = s.recv();
      sim.runUntilIdle();
      got.push((await r).data.length);
    }
    expect(got).toEqual([4, 12]);
    expect(inet.stats.fragmentsReceived).toBe(2);
    expect(inet.stats.delivered).toBe(2);
    expect(inet.stats.drops).toEqual({});
    s.close();
    host.pool.assertQuiescent();
  });

  it('answers an unknown protocol with ICMP protocol unreachable and counts noproto', () => {
    const { sim, host, ch, inet } = world();
    const pkt = ipPacket({ src: PEER, dst: US, proto: 99, id: 77 }, bytes(30));
    ch.inject(pkt);
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({ 'ip.noproto': 1 });
    expect(ch.ifp.counters.noproto).toBe(1);
    expect(ch.sent).toHaveLength(1);
    const ip = parseIpv4(ch.sent[0].bytes);
    expect([ip.src, ip.dst, ip.protocol]).toEqual([parseAddr(US), parseAddr(PEER), 1]);
    const icmp = parseIcmp(ch.sent[0].bytes, 20);
    expect([icmp.type, icmp.code, icmp.dataLength]).toEqual([3, 2, 28]);
    // The quote: the offending header and the first 8 bytes of its payload (RFC 792).
    expect(ch.sent[0].bytes.subarray(28)).toEqual(pkt.subarray(0, 28));
    expect(ch.sent[0].dst).toBe(parseAddr(PEER));
    // Not to a broadcast: counted, no error. A link broadcast with a unicast IP destination is not even
    // delivered (RFC 1122 3.3.6).
    ch.inject(ipPacket({ src: PEER, dst: '10.0.0.255', proto: 99 }, bytes(8)));
    ch.inject(ipPacket({ src: PEER, dst: US, proto: 99 }, bytes(8)), M_BCAST);
    sim.runUntilIdle();
    expect(ch.sent).toHaveLength(1);
    expect(inet.stats.drops).toEqual({ 'ip.noproto': 2, 'ip.linkbcast.unicast': 1 });
    expect(icmpFor(host).stats.errorsSuppressed).toBe(1);
    host.pool.assertQuiescent();
  });

  it('answers echo requests on the channel, not those to a broadcast, nor from a broadcast source', () => {
    const { sim, host, ch } = world();
    ch.inject(echoRequest(PEER, US, 5, 6, 40));
    ch.inject(echoRequest(PEER, '10.0.0.255', 5, 7, 40));
    ch.inject(echoRequest('10.0.0.255', US, 5, 8, 40));
    sim.runUntilIdle();
    expect(ch.sent).toHaveLength(1);
    const icmp = parseIcmp(ch.sent[0].bytes, 20);
    expect([icmp.type, icmp.ident, icmp.seq, icmp.dataLength]).toEqual([0, 5, 6, 40]);
    expect(ch.sent[0].bytes.subarray(28)).toEqual(bytes(40).map((_, i) => i & 0xff));
    // A broadcast source never reaches ICMP: IPv4 input drops it (RFC 1122 3.2.1.3).
    expect(icmpFor(host).stats.drops).toEqual({ 'icmp.bmcastecho': 1 });
    expect(inetFor(host).stats.drops).toEqual({ 'ip.badsrc.bcast': 1 });
    host.pool.assertQuiescent();
  });

  it('treats the limited broadcast as a broadcast while the one-entry caches hold nothing (their "none" is -1)', () => {
    // The first packet after start-up, and the first after an address change, find the caches empty: a
    // datagram to 255.255.255.255 must still be a broadcast (no port unreachable back), not "ours".
    const { sim, host, ch, inet } = world();
    ch.inject(udpPacket(PEER, '255.255.255.255', 1, 2, bytes(4)));
    sim.runUntilIdle();
    ch.inject(udpPacket(PEER, US, 1, 2, bytes(4))); // fills the caches: an ICMP port unreachable back
    sim.runUntilIdle();
    inet.addAddress(ch.ifp, '10.0.1.1/24'); // empties them again
    ch.inject(udpPacket(PEER, '255.255.255.255', 1, 2, bytes(4)));
    sim.runUntilIdle();
    expect(udpFor(host).stats.drops).toEqual({ 'udp.noport.bcast': 2, 'udp.noport': 1 });
    expect(ch.sent).toHaveLength(1);
    expect(inet.isLocal(parseAddr('255.255.255.255'))).toBe(false);
    expect(inet.isBroadcast(parseAddr('255.255.255.255'))).toBe(true);
    host.pool.assertQuiescent();
  });

  it('counts ICMP and UDP rejects with their own reasons', () => {
    const { sim, host, ch } = world();
    const icmpPkt = (payload: Uint8Array) => ipPacket({ src: PEER, dst: US, proto: 1 }, payload);
    ch.inject(icmpPkt(bytes(7)));
    const badEcho = echoRequest(PEER, US, 1, 1, 8);
    badEcho[30] ^= 0xff;
    ch.inject(badEcho);
    ch.inject(icmpPkt(Uint8Array.from([13, 0, 0xf2, 0xff, 0, 0, 0, 0])));
    ch.inject(icmpPkt(Uint8Array.from([0, 0, 0xff, 0xfe, 0, 1, 0, 0])));
    ch.inject(icmpPkt(Uint8Array.from([3, 3, 0xfc, 0xfc, 0, 0, 0, 0])));
    const udp = (d: Uint8Array) => ipPacket({ src: PEER, dst: US, proto: 17 }, d);
    ch.inject(udp(bytes(7)));
    const d = udpDatagram(PEER, US, 1, 2, bytes(4));
    d[5] = 40;
    ch.inject(udp(d));
    const e = udpDatagram(PEER, US, 1, 2, bytes(4));
    e[5] = 7;
    ch.inject(udp(e));
    ch.inject(udpPacket(PEER, US, 1, 2, bytes(4), {}, 'bad'));
    ch.inject(udpPacket(PEER, '10.0.0.255', 1, 2, bytes(4)));
    sim.runUntilIdle();
    expect(icmpFor(host).stats.drops).toEqual({
      'icmp.tooshort': 1,
      'icmp.badsum': 1,
      'icmp.unhandled': 1,
      'icmp.echoreply.unmatched': 1,
      'icmp.badlen': 1,
    });
    expect(udpFor(host).stats.drops).toEqual({
      'udp.tooshort': 1,
      'udp.badlen': 2,
      'udp.badsum': 1,
      'udp.noport.bcast': 1,
    });
    expect(ch.sent).toEqual([]);
    host.pool.assertQuiescent();
  });

  it('accepts a zero UDP checksum as "none" and trims IP payload beyond the UDP length', async () => {
    const { sim, host, ch } = world();
    const s = udpFor(host).socket().bind(2);
    ch.inject(udpPacket(PEER, US, 1, 2, bytes(4), {}, 'none'));
    const d = udpDatagram(PEER, US, 1, 2, bytes(4));
    const longer = new Uint8Array(d.length + 6);
    longer.set(d);
    ch.inject(ipPacket({ src: PEER, dst: US, proto: 17 }, longer));
    const a = s.recv();
    sim.runUntilIdle();
    expect((await a).data).toEqual(bytes(4));
    const b = s.recv();
    sim.runUntilIdle();
    expect((await b).data).toEqual(bytes(4));
    expect(udpFor(host).stats.noChecksum).toBe(1);
    expect(udpFor(host).stats.drops).toEqual({});
    s.close();
    host.pool.assertQuiescent();
  });
});
