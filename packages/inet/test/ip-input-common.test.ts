/**
 * `ip_input`'s common-case test: a datagram that passes it is dispatched at once, everything else takes
 * the full sequence of checks. The test needs the input caches warm (the last source and destination) and
 * the NIC's verdict on the header checksum, so every case here comes right after a good datagram of the
 * same flow, with `M_CSUM_IPv4` set as a NIC sets it: each must still be counted and dropped (or
 * delivered) exactly as the full sequence does.
 */
import { type Mbuf, M_BCAST, M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_UDPv4, sec } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { IPPROTO_UDP } from '../src/index.js';
import { bytes, channelWorld, ipPacket, udpDatagram, udpPacket } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';
const HW = M_CSUM_IPv4 | M_CSUM_UDPv4;

function world() {
  const w = channelWorld(US);
  const s = w.udp.socket().bind(2000);
  /** Injects `pkt` as a NIC hands it up: checksum verdicts in `csum`, link flags in `flags`. */
  const rx = (pkt: Uint8Array, csum = HW, flags = 0): void => {
    const m: Mbuf = w.host.pool.devget(pkt, 0, pkt.length, w.ch.ifp)!;
    m.pkthdr.csumFlags = csum;
    m.flags |= flags;
    w.ch.injectMbuf(m);
  };
  const good = () => rx(udpPacket(PEER, US, 1000, 2000, bytes(20)));
  return { ...w, s, rx, good };
}

describe('ip_input common case', () => {
  it('delivers a stream of datagrams, counted as the full sequence counts them', () => {
    const { sim, host, inet, s, good } = world();
    for (let i = 0; i < 5; i++) good();
    sim.runUntilIdle();
    expect(inet.stats.received).toBe(5);
    expect(inet.stats.delivered).toBe(5);
    expect(inet.protocols.lookup(IPPROTO_UDP)!.packets).toBe(5);
    expect(s.queued).toBe(5);
    expect(inet.stats.drops).toEqual({});
    s.close();
    host.pool.assertQuiescent();
  });

  it('a datagram that differs from the common case in any one way takes the full checks, warm caches or not', () => {
    const { sim, host, ch, inet, s, rx, good } = world();
    const pkt = udpPacket(PEER, US, 1000, 2000, bytes(20));
    const drops: [string, () => void][] = [
      ['ip.tooshort', () => rx(pkt.subarray(0, 19))],
      ['ip.badvers', () => rx(Uint8Array.from(pkt, (b, i) => (i === 0 ? 0x65 : b)))],
      ['ip.badhlen', () => rx(Uint8Array.from(pkt, (b, i) => (i === 0 ? 0x44 : b)))],
      ['ip.badsum', () => rx(pkt, M_CSUM_IPv4 | M_CSUM_IPv4_BAD)],
      ['ip.badsum', () => rx(udpPacket(PEER, US, 1000, 2000, bytes(20), { badChecksum: true }), 0)],
      ['ip.badlen', () => rx(udpPacket(PEER, US, 1000, 2000, bytes(20), { totalLength: 19 }))],
      ['ip.tooshort', () => rx(udpPacket(PEER, US, 1000, 2000, bytes(20), { totalLength: 100 }))],
      ['ip.badsrc', () => rx(udpPacket('224.0.0.9', US, 1000, 2000, bytes(4)))],
      ['ip.badsrc.zero', () => rx(udpPacket('0.0.0.5', US, 1000, 2000, bytes(4)))],
      ['ip.martian', () => rx(udpPacket('127.0.0.1', US, 1000, 2000, bytes(4)))],
      ['ip.martian', () => rx(udpPacket(PEER, '127.0.0.1', 1000, 2000, bytes(4)))],
      ['ip.notforus', () => rx(udpPacket(PEER, '10.0.0.99', 1000, 2000, bytes(4)))],
      ['ip.linkbcast.unicast', () => rx(pkt, HW, M_BCAST)],
      ['ip.noproto', () => rx(ipPacket({ src: PEER, dst: US, proto: 99 }, bytes(8)))],
    ];
    for (const [, send] of drops) {
      good();
      send();
    }
    sim.runUntilIdle();
    const expected: Record<string, number> = {};
    for (const [r] of drops) expected[r] = (expected[r] ?? 0) + 1;
    expect(inet.stats.drops).toEqual(expected);
    expect(ch.ifp.counters.drops).toEqual(expected);
    expect(ch.ifp.counters.noproto).toBe(1);
    expect(s.queued).toBe(drops.length);
    expect(inet.stats.delivered).toBe(drops.length);
    s.close();
    host.pool.assertQuiescent();
  });

  it('delivers what only the full checks accept: options, link padding, no NIC verdict, a new peer', async () => {
    const { sim, host, inet, s, rx, good } = world();
    const payload = udpDatagram(PEER, US, 1000, 2000, bytes(12));
    const padded = new Uint8Array(60);
    padded.set(ipPacket({ src: PEER, dst: US, proto: IPPROTO_UDP }, payload));
    good();
    rx(ipPacket({ src: PEER, dst: US, proto: IPPROTO_UDP, options: [1, 1, 1, 1] }, payload));
    good();
    rx(padded);
    good();
    rx(udpPacket(PEER, US, 1000, 2000, bytes(12)), 0);
    good();
    rx(udpPacket('10.0.0.3', US, 1000, 2000, bytes(12)));
    rx(udpPacket('10.0.0.3', US, 1000, 2000, bytes(12)));
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({});
    expect(inet.stats.withOptions).toBe(1);
    expect(inet.stats.paddingTrimmed).toBe(1);
    expect(inet.stats.delivered).toBe(9);
    expect(s.queued).toBe(9);
    const lens: number[] = [];
    while (s.queued > 0) lens.push((await s.recv()).data.length);
    expect(lens).toEqual([20, 12, 20, 12, 20, 12, 20, 12, 12]);
    s.close();
    host.pool.assertQuiescent();
  });

  it('holds a fragment for reassembly and offers the datagram to the input hook', () => {
    const { sim, host, inet, s, rx, good } = world();
    good();
    rx(udpPacket(PEER, US, 1000, 2000, bytes(16), { mf: true, id: 7 }));
    sim.runUntilIdle();
    expect(inet.stats.fragmentsReceived).toBe(1);
    expect(s.queued).toBe(1);
    const seen: number[] = [];
    inet.inputHook = (m, hlen, proto) => {
      seen.push(hlen, proto);
      m.pool.freem(m);
      return true;
    };
    good();
    sim.runUntilIdle();
    expect(seen).toEqual([20, IPPROTO_UDP]);
    expect(s.queued).toBe(1);
    inet.inputHook = undefined;
    s.close();
    sim.runFor(sec(60)); // the held fragment times out
    expect(inet.stats.drops).toEqual({ 'ip.frag.timeout': 1 });
    host.pool.assertQuiescent();
  });
});
