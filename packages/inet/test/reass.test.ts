import { msec, sec } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { type InetModuleOptions, inetFor, parseAddr, parseIcmp, parseIpv4, udpFor } from '../src/index.js';
import { bytes, createChannel, icmpMessage, ipPacket, setup, udpDatagram } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

function world(options: InetModuleOptions = {}) {
  const w = setup(options);
  const ch = createChannel(w.host);
  const inet = inetFor(w.host);
  inet.addAddress(ch.ifp, `${US}/24`);
  const sock = udpFor(w.host).socket().bind(2000);
  const frag = (whole: Uint8Array, start: number, end: number, mf: boolean, id = 9, proto = 17) =>
    ipPacket({ src: PEER, dst: US, proto, id, fragOffset: start, mf }, whole.subarray(start, end));
  return { ...w, ch, inet, sock, frag, reass: inet.reassembly };
}

/** A 2000-byte UDP datagram (header + data) from PEER:1000 to US:2000. */
const DGRAM = udpDatagram(PEER, US, 1000, 2000, bytes(1992, 3));

describe('fragment reassembly', () => {
  it('reassembles fragments arriving out of order, ignoring an exact duplicate', async () => {
    const { sim, host, ch, inet, sock, frag, reass } = world();
    ch.inject(frag(DGRAM, 1600, 2000, false));
    ch.inject(frag(DGRAM, 800, 1600, true));
    ch.inject(frag(DGRAM, 800, 1600, true));
    expect(reass.snapshot()).toMatchObject({ datagrams: 1, fragments: 2 });
    ch.inject(frag(DGRAM, 0, 800, true));
    const r = sock.recv();
    sim.runUntilIdle();
    const msg = await r;
    expect(msg.data).toEqual(DGRAM.subarray(8));
    expect(inet.stats.fragmentsReceived).toBe(4);
    expect(inet.stats.reassembled).toBe(1);
    expect(inet.stats.drops).toEqual({ 'ip.frag.dup': 1 });
    expect(reass.snapshot()).toEqual({ datagrams: 0, fragments: 0, bytes: 0 });
    sock.close();
    host.pool.assertQuiescent();
  });

  it('discards the whole datagram when fragments overlap (RFC 5722 rule)', () => {
    const { sim, host, ch, inet, sock, frag, reass } = world();
    ch.inject(frag(DGRAM, 0, 800, true));
    ch.inject(frag(DGRAM, 1600, 2000, false));
    ch.inject(frag(DGRAM, 792, 1600, true)); // overlaps the first by 8 bytes
    expect(reass.datagrams).toBe(0);
    // The rest of the datagram starts a new queue, which never completes.
    ch.inject(frag(DGRAM, 800, 1600, true));
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({ 'ip.frag.overlap': 3, 'ip.frag.timeout': 1 });
    expect(sock.queued).toBe(0);
    sock.close();
    host.pool.assertQuiescent();
  });

  it('lets the last fragment fix the length and refuses data beyond it', () => {
    const { host, ch, inet, frag, reass } = world();
    // (A fragment at offset 0 with MF clear is a whole datagram, so every "last fragment" here has an offset.)
    ch.inject(frag(DGRAM, 800, 1600, true, 1));
    ch.inject(frag(DGRAM, 8, 400, false, 1)); // claims the datagram ends at 400: the held data is beyond
    ch.inject(frag(DGRAM, 1600, 2000, false, 2));
    ch.inject(frag(DGRAM, 8, 808, false, 2)); // a second, different end
    ch.inject(frag(DGRAM, 1200, 1808, false, 3));
    ch.inject(frag(DGRAM, 1808, 1824, true, 3)); // beyond the end fixed by the last fragment
    ch.inject(frag(DGRAM, 0, 100, true, 4)); // not a multiple of 8 with MF set
    ch.inject(frag(new Uint8Array(0), 0, 0, true, 5)); // no data
    expect(inet.stats.drops).toEqual({ 'ip.frag.badlen': 7, 'ip.frag.empty': 1 });
    expect(reass.datagrams).toBe(0);
    host.pool.assertQuiescent();
  });

  it('discards datagrams that would exceed 65535 bytes (ping of death)', () => {
    const { host, ch, inet, frag, reass } = world();
    const big = new Uint8Array(65536);
    ch.inject(frag(big, 0, 8, true, 1));
    ch.inject(frag(big, 65512, 65536, false, 1)); // 20 + 65536 > 65535
    expect(inet.stats.drops).toEqual({ 'ip.frag.toobig': 2 });
    expect(reass.datagrams).toBe(0);
    host.pool.assertQuiescent();
  });

  it('times out after 30 s and sends time exceeded when the first fragment had arrived', () => {
    const { sim, host, ch, inet, frag, reass } = world();
    ch.inject(frag(DGRAM, 0, 800, true, 1));
    ch.inject(frag(DGRAM, 800, 1600, true, 2)); // no first fragment: no ICMP for this one
    sim.runFor(sec(30) - msec(20));
    expect(reass.datagrams).toBe(2);
    sim.runFor(msec(40));
    expect(reass.datagrams).toBe(0);
    expect(inet.stats.drops).toEqual({ 'ip.frag.timeout': 2 });
    expect(ch.sent).toHaveLength(1);
    expect(parseIpv4(ch.sent[0].bytes).dst).toBe(parseAddr(PEER));
    const icmp = parseIcmp(ch.sent[0].bytes, 20);
    expect([icmp.type, icmp.code]).toEqual([11, 1]);
    // No ICMP error about an ICMP error.
    const err = icmpMessage(3, 1, 0, bytes(600));
    ch.inject(ipPacket({ src: PEER, dst: US, proto: 1, id: 3, mf: true }, err.subarray(0, 304)));
    sim.runUntilIdle();
    expect(ch.sent).toHaveLength(1);
    expect(inet.stats.drops).toEqual({ 'ip.frag.timeout': 3 });
    host.pool.assertQuiescent();
  });

  it('bounds the memory held: evicts the oldest datagrams, never exceeds the limit', () => {
    const { sim, host, ch, inet, sock, frag, reass } = world({ reassembly: { maxBytes: 16 * 1024, maxDatagrams: 4 } });
    for (let id = 1; id <= 10; id++) {
      ch.inject(frag(DGRAM, 0, 800, true, id));
      expect(reass.heldBytes).toBeLessThanOrEqual(16 * 1024);
      expect(reass.datagrams).toBeLessThanOrEqual(4);
    }
    expect(reass.datagrams).toBe(4);
    expect(inet.stats.drops).toEqual({ 'ip.frag.evicted': 6 });
    // The newest datagram can still complete.
    ch.inject(frag(DGRAM, 800, 2000, false, 10));
    sim.runUntilIdle();
    expect(inet.stats.reassembled).toBe(1);
    sim.runFor(sec(31));
    expect(inet.stats.drops).toEqual({ 'ip.frag.evicted': 6, 'ip.frag.timeout': 3 });
    expect(reass.snapshot()).toEqual({ datagrams: 0, fragments: 0, bytes: 0 });
    expect(sock.queued).toBe(1);
    sock.close();
    host.pool.assertQuiescent();
  });

  it('drops a fragment that alone exceeds the memory limit, and datagrams with too many fragments', () => {
    const { sim, host, ch, inet, frag, reass } = world({ reassembly: { maxBytes: 1024, maxFragments: 3 } });
    ch.inject(frag(DGRAM, 0, 1200, true, 1)); // a cluster: 2048 + 256 bytes of storage
    expect(inet.stats.drops).toEqual({ 'ip.frag.memory': 1 });
    reass.limits.maxBytes = 64 * 1024;
    for (let i = 0; i < 4; i++) ch.inject(frag(DGRAM, i * 8, i * 8 + 8, true, 2));
    expect(inet.stats.drops).toEqual({ 'ip.frag.memory': 1, 'ip.frag.toomany': 4 });
    expect(reass.datagrams).toBe(0);
    sim.runUntilIdle();
    host.pool.assertQuiescent();
  });

  it('flushes everything on demand', () => {
    const { host, ch, inet, frag, reass } = world();
    ch.inject(frag(DGRAM, 0, 800, true, 1));
    ch.inject(frag(DGRAM, 0, 800, true, 2));
    reass.flush();
    expect(inet.stats.drops).toEqual({ 'ip.frag.flushed': 2 });
    host.pool.assertQuiescent();
  });
});
