/**
 * Fuzzing Ethernet input and ARP input with fast-check (deterministic seeds): random bytes, and valid
 * frames mutated (truncated, extended, overwritten — bad lengths, bad types, bad ops), delivered as one
 * mbuf or as chains of small mbufs. After every case: nothing thrown, the frame accounted for exactly once
 * (a protocol got it, ARP accepted or ignored it, or one counter of drops moved, with a reason), and the
 * pool balanced with nothing in use.
 */
import { type Host, type Ifnet, fuzzParameters } from '@ifnet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Arp, ARPOP_REPLY, ARPOP_REQUEST, arpFor, ETHERTYPE_ARP, ETHERTYPE_IP } from '../src/index.js';
import {
  arpBytes,
  BCAST,
  type Channel,
  channel,
  ETHERTYPE_TEST,
  etherFrame,
  ip,
  ipv4Bytes,
  MAC_A,
  MAC_B,
  packet,
  sink,
  taggedFrame,
  world,
} from './helpers.js';

const IP1 = ip('10.0.0.1');

interface Rig {
  host: Host;
  ch: Channel;
  ifp: Ifnet;
  arp: Arp;
  delivered: () => number;
}

function rig(): Rig {
  const host = world(1).hosts[0];
  const ipIn = sink(host, ETHERTYPE_IP, 'ip');
  const testIn = sink(host, ETHERTYPE_TEST, 'test');
  const ch = channel(host, MAC_A);
  const arp = arpFor(host);
  arp.addAddress(ch.ifp, IP1);
  return {
    host,
    ch,
    ifp: ch.ifp,
    arp,
    delivered: () => {
      const n = ipIn.length + testIn.length;
      ipIn.length = 0; // keep memory flat over thousands of cases
      testIn.length = 0;
      return n;
    },
  };
}

function sum(r: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(r)) s += v;
  return s;
}

/** Everything a frame can end up as. */
function tally(r: Rig) {
  const c = r.ifp.counters;
  const a = r.arp.stats;
  return {
    inDrops: c.iqdrops + c.noproto,
    outDrops: c.oqdrops + c.oerrors,
    reasons: sum(c.drops),
    arpDone: a.accepted + a.ignored,
    arpReceived: a.received,
    arpDrops: sum(a.drops),
  };
}

/** Offers one frame and checks that it is accounted for exactly once and that the pool is clean. */
function offer(r: Rig, frame: Uint8Array, chunk: number | null, via: 'ether' | 'arp'): void {
  const before = tally(r);
  const m = packet(r.host.pool, frame, chunk ?? undefined);
  if (m === null) throw new Error('test pool exhausted');
  if (via === 'ether') {
    m.pkthdr.rcvif = r.ifp;
    r.ifp.input(m);
  } else {
    r.arp.input(m, 0, r.ifp);
  }
  r.ch.sent.length = 0;
  const after = tally(r);
  const delivered = r.delivered();
  const inDrops = after.inDrops - before.inDrops;
  const arpDone = after.arpDone - before.arpDone;
  expect(inDrops + arpDone + delivered).toBe(1);
  // Every drop has a reason, and no reason is counted without a drop.
  expect(after.reasons - before.reasons).toBe(inDrops + (after.outDrops - before.outDrops));
  // ARP's own books balance: received = accepted + ignored + dropped.
  expect(after.arpReceived).toBe(after.arpDone + after.arpDrops);
  const check = r.host.pool.checkAccounting();
  expect(check.detail).toBe('ok');
  expect(r.host.pool.stats.mbufs.inUse).toBe(0);
  expect(r.host.pool.stats.clusters.inUse).toBe(0);
}

const chunkArb = fc.option(fc.integer({ min: 1, max: 64 }), { nil: null });
const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 });
const addrArb = fc.oneof(
  fc.constantFrom(0, IP1, ip('10.0.0.2'), 0xffffffff, ip('224.0.0.1')),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** Valid frames of every kind the stack handles. */
const validFrameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .record({ op: fc.constantFrom(ARPOP_REQUEST, ARPOP_REPLY), sha: macArb, spa: addrArb, tpa: addrArb })
    .map((f) => etherFrame(BCAST, MAC_B, ETHERTYPE_ARP, arpBytes({ ...f, tha: MAC_A }))),
  fc
    .record({ spa: addrArb, marker: fc.nat(255) })
    .map((f) => etherFrame(MAC_A, MAC_B, ETHERTYPE_IP, ipv4Bytes(f.spa, IP1, f.marker))),
  fc.uint8Array({ maxLength: 100 }).map((p) => etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, p)),
  fc
    .record({ tci: fc.integer({ min: 0, max: 0xffff }), inner: fc.constantFrom(ETHERTYPE_ARP, ETHERTYPE_TEST, 0x8100) })
    .map((f) =>
      taggedFrame(
        MAC_A,
        MAC_B,
        f.tci & 0xf000, // VID 0: priority-tagged, delivered by inner type
        f.inner,
        f.inner === ETHERTYPE_ARP ? arpBytes({ op: 1, sha: MAC_B, spa: ip('10.0.0.2'), tpa: IP1 }) : new Uint8Array(8),
      ),
    ),
);

interface Mutation {
  truncate: number | null;
  extend: number;
  writes: { pos: number; value: number }[];
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  truncate: fc.option(fc.nat(60), { nil: null }),
  extend: fc.nat(40),
  writes: fc.array(fc.record({ pos: fc.nat(45), value: fc.nat(255) }), { maxLength: 4 }),
});

function mutate(frame: Uint8Array, mu: Mutation): Uint8Array {
  let f = new Uint8Array(frame.length + mu.extend);
  f.set(frame);
  for (const w of mu.writes) if (w.pos < f.length) f[w.pos] = w.value;
  if (mu.truncate !== null) f = f.slice(0, Math.min(f.length, mu.truncate));
  return f;
}

describe('fuzz: etherInput', () => {
  it('random bytes: never throws, every frame accounted for, pool balanced', () => {
    const r = rig();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1600 }), chunkArb, (bytes, chunk) => offer(r, bytes, chunk, 'ether')),
      fuzzParameters({ seed: 0x1f2e3d, numRuns: 1500 }),
    );
  });

  it('random bytes addressed to us (past the filter): never throws, accounted for, pool balanced', () => {
    const r = rig();
    fc.assert(
      fc.property(fc.constantFrom(MAC_A, BCAST), fc.uint8Array({ maxLength: 1600 }), chunkArb, (dst, body, chunk) => {
        const f = new Uint8Array(6 + body.length);
        f.set(dst);
        f.set(body, 6);
        offer(r, f, chunk, 'ether');
      }),
      fuzzParameters({ seed: 0x2b2b, numRuns: 1500 }),
    );
  });

  it('mutated valid frames (truncations, bad lengths, types, ops): accounted for, pool balanced', () => {
    const r = rig();
    fc.assert(
      fc.property(validFrameArb, mutationArb, chunkArb, (frame, mu, chunk) =>
        offer(r, mutate(frame, mu), chunk, 'ether'),
      ),
      fuzzParameters({ seed: 0x5eed, numRuns: 3000 }),
    );
    // The corpus reached ARP well beyond its first check.
    const s = r.arp.stats;
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.ignored).toBeGreaterThan(0);
    expect(Object.keys(s.drops).length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(r.ifp.counters.drops).length).toBeGreaterThanOrEqual(12);
  });
});

describe('fuzz: ARP input', () => {
  it('random payloads straight into ARP input: never throws, accounted for, pool balanced', () => {
    const r = rig();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), chunkArb, (bytes, chunk) => offer(r, bytes, chunk, 'arp')),
      fuzzParameters({ seed: 0xa4b, numRuns: 1500 }),
    );
  });

  it('mutated ARP packets: accounted for, cache within its bound, pool balanced', () => {
    const r = rig();
    r.arp.configure({ maxEntries: 16 });
    const arpArb = fc
      .record({
        op: fc.constantFrom(ARPOP_REQUEST, ARPOP_REPLY),
        sha: macArb,
        spa: addrArb,
        tha: macArb,
        tpa: fc.oneof(fc.constant(IP1), addrArb),
      })
      .map((f) => arpBytes(f));
    fc.assert(
      fc.property(arpArb, mutationArb, chunkArb, (bytes, mu, chunk) => {
        offer(r, mutate(bytes, { ...mu, writes: mu.writes.map((w) => ({ ...w, pos: w.pos % 28 })) }), chunk, 'arp');
        expect(r.arp.size).toBeLessThanOrEqual(16);
      }),
      fuzzParameters({ seed: 0xa4c, numRuns: 3000 }),
    );
    expect(r.arp.stats.created).toBeGreaterThan(16);
    expect(r.arp.stats.evicted).toBeGreaterThan(0);
    expect(r.arp.stats.txReplies).toBeGreaterThan(0);
  });
});
