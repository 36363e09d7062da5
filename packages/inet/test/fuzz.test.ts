/**
 * Bad input, fuzzed with fast-check on fixed seeds: random bytes and mutated valid packets into IPv4
 * input (through a channel interface), direct calls of each protocol's input with random mbuf chain
 * layouts, and fragment streams (out of order, duplicated, overlapping, never completed, huge offsets).
 *
 * After every case the clock is run past the reassembly timeout and the stack must be back to zero:
 * nothing thrown, the pool balanced with no mbuf in use, and every packet accounted for exactly once —
 * dropped under a named reason, or consumed by a protocol (delivered to a socket, answered, joined into
 * a reassembled datagram):
 *
 *   ip.received   = ip input drops + (ip.delivered - reassembled) + fragmentsJoined
 *   ip.delivered  = icmp.received + udp.received
 *   icmp.received = icmp drops + echo replied + echo replies matched + errors received
 *   udp.received  = udp drops + udp delivered
 *   interface drops = ip input drops + icmp drops + udp drops (same reasons, counted twice)
 */
import { type Host, IFT_OTHER, type Ifnet, type Mbuf, fuzzParameters, sec } from '@ifnet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Inet, cksumBytes, icmpFor, inetFor, parseAddr, pseudoHeaderSum, udpFor } from '../src/index.js';
import {
  type Channel,
  bytes,
  chainFrom,
  createChannel,
  echoRequest,
  icmpMessage,
  ipPacket,
  setup,
  udpDatagram,
  udpPacket,
} from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

interface World {
  sim: ReturnType<typeof setup>['sim'];
  host: Host;
  ch: Channel;
  inet: Inet;
}

function world(pool?: { mbufs: number; clusters: number }): World {
  const w = setup({ icmp: { errorRate: 1e9, errorBurst: 1e9 } }, ['fuzz'], pool ?? { mbufs: 1024, clusters: 512 });
  const ch = createChannel(w.host);
  const inet = inetFor(w.host);
  inet.addAddress(ch.ifp, `${US}/24`);
  inet.joinGroup(ch.ifp, '239.1.1.1');
  // Open ports that free what they receive, and one that never reads (its queue fills and overflows).
  for (const port of [7, 53]) {
    const s = udpFor(w.host).socket({ receiveQueue: 8 }).bind(port);
    s.onMessage((m) => m.pool.freem(m));
  }
  udpFor(w.host).socket({ receiveQueue: 4 }).bind(9);
  return { sim: w.sim, host: w.host, ch, inet };
}

/** Drops of received packets (output-side reasons, `*.output.*`, are not about received packets). */
function inputDrops(drops: Record<string, number>): number {
  let n = 0;
  for (const k in drops) if (!k.includes('.output.')) n += drops[k];
  return n;
}

/** Runs past every timeout, then checks the pool and the accounting identities. */
function settle(w: World): void {
  // Drain the never-reading socket so its queue does not hold mbufs across cases.
  w.sim.runFor(sec(31));
  const nonReader = udpFor(w.host)
    .sockets()
    .find((s) => s.localPort === 9)!;
  while (nonReader.queued > 0) void nonReader.recv().catch(() => {});
  w.sim.runFor(sec(1));
  const pool = w.host.pool;
  const acc = pool.checkAccounting();
  expect(acc.detail).toBe('ok');
  expect(pool.stats.mbufs.inUse).toBe(0);
  expect(pool.stats.clusters.inUse).toBe(0);
  const ip = w.inet.stats;
  const icmp = icmpFor(w.host).stats;
  const udp = udpFor(w.host).stats;
  const reass = w.inet.reassembly;
  expect(reass.heldFragments).toBe(0);
  const ipIn = inputDrops(ip.drops);
  expect(ip.received).toBe(ipIn + (ip.delivered - ip.reassembled) + reass.fragmentsJoined);
  expect(ip.delivered).toBe(icmp.received + udp.received);
  expect(icmp.received).toBe(inputDrops(icmp.drops) + icmp.echoReplied + icmp.echoRepliesMatched + icmp.errorsReceived);
  expect(udp.received).toBe(inputDrops(udp.drops) + udp.delivered);
  const ifDrops = w.ch.ifp.counters.drops;
  expect(inputDrops(ifDrops)).toBe(ipIn + inputDrops(icmp.drops) + inputDrops(udp.drops));
  for (const r of Object.keys(ifDrops)) expect(r).toMatch(/^(ip|icmp|udp)\.[a-z.-]+$/);
}

/** Valid packets of every kind the stack handles, as seeds for mutation. */
function seeds(): Uint8Array[] {
  const big = udpDatagram(PEER, US, 1000, 53, bytes(3000));
  const frags = [0, 1480, 2960].map((o) =>
    ipPacket(
      { src: PEER, dst: US, proto: 17, id: 42, fragOffset: o, mf: o < 2960 },
      big.subarray(o, Math.min(o + 1480, big.length)),
    ),
  );
  const quoted = udpPacket(US, PEER, 7, 4444, bytes(12)).subarray(0, 28);
  return [
    udpPacket(PEER, US, 1000, 7, bytes(30)),
    udpPacket(PEER, US, 1000, 9, bytes(30)),
    udpPacket(PEER, US, 1000, 4444, bytes(30)),
    udpPacket(PEER, '10.0.0.255', 1000, 53, bytes(5)),
    udpPacket(PEER, '239.1.1.1', 1000, 53, bytes(5)),
    udpPacket(PEER, US, 1000, 53, bytes(5), {}, 'none'),
    echoRequest(PEER, US, 1, 2, 56),
    ipPacket({ src: PEER, dst: US, proto: 1 }, icmpMessage(3, 3, 0, quoted)),
    ipPacket({ src: PEER, dst: US, proto: 1 }, icmpMessage(0, 0, 0x00010001, bytes(8))),
    ipPacket({ src: PEER, dst: US, proto: 99 }, bytes(40)),
    ipPacket({ src: PEER, dst: US, proto: 17, options: [7, 7, 4, 0, 0, 0, 0] }, udpDatagram(PEER, US, 1, 53, bytes(9))),
    ...frags,
  ];
}

/** Recomputes the IP header checksum (so a mutation gets past it), and the transport one when asked. */
function fixChecksums(p: Uint8Array, transport: boolean): void {
  if (p.length < 20) return;
  const hlen = (p[0] & 15) * 4;
  if (hlen < 20 || hlen > p.length) return;
  p[10] = 0;
  p[11] = 0;
  const s = ~cksumBytes(p, 0, hlen) & 0xffff;
  p[10] = s >> 8;
  p[11] = s & 0xff;
  if (!transport) return;
  const proto = p[9];
  const len = p.length - hlen;
  if (proto === 1 && len >= 4) {
    p[hlen + 2] = 0;
    p[hlen + 3] = 0;
    const c = ~cksumBytes(p, hlen, len) & 0xffff;
    p[hlen + 2] = c >> 8;
    p[hlen + 3] = c & 0xff;
  } else if (proto === 17 && len >= 8) {
    const v = new DataView(p.buffer, p.byteOffset);
    p[hlen + 6] = 0;
    p[hlen + 7] = 0;
    const c = ~cksumBytes(p, hlen, len, pseudoHeaderSum(v.getUint32(12), v.getUint32(16), 17, len)) & 0xffff;
    p[hlen + 6] = c >> 8;
    p[hlen + 7] = c & 0xff;
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u16' as const),
    field: fc.constantFrom(2, 4, 6, 22, 24, 26),
    value: fc.integer({ min: 0, max: 0xffff }),
  }),
  fc.record({ kind: fc.constant('extend' as const), n: fc.integer({ min: 1, max: 64 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(p: Uint8Array, muts: Mutation[], fix: 0 | 1 | 2): Uint8Array {
  let out = Uint8Array.from(p);
  for (const m of muts) {
    if (m.kind === 'truncate') out = out.subarray(0, m.at % (out.length + 1));
    else if (m.kind === 'byte' && out.length > 0) out[m.at % out.length] = m.value;
    else if (m.kind === 'u16' && out.length >= m.field + 2) {
      out[m.field] = m.value >> 8;
      out[m.field + 1] = m.value & 0xff;
    } else if (m.kind === 'extend') {
      const e = new Uint8Array(out.length + m.n);
      e.set(out);
      out = e;
    }
  }
  out = Uint8Array.from(out);
  if (fix > 0) fixChecksums(out, fix === 2);
  return out;
}

/** Injects `p` as one mbuf chain cut at `cuts` (pieces of odd sizes exercise pullups and checksums). */
function injectChain(w: World, p: Uint8Array, cuts: number[], flags = 0): void {
  if (p.length === 0) {
    const m = w.host.pool.gethdr()!;
    m.flags |= flags;
    w.ch.injectMbuf(m);
    return;
  }
  const m = chainFrom(w.host.pool, p, cuts, cuts.length % 3);
  m.flags |= flags;
  w.ch.injectMbuf(m);
}

/** Runs per property in CI; `pnpm fuzz` (IFNET_FUZZ_RUNS / IFNET_FUZZ_SECONDS) overrides it. */
const RUNS = 2000;

describe('fuzz: bad input never throws, never leaks, is always accounted for', () => {
  it('IPv4 input: random bytes in random chains', () => {
    const w = world();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }),
        (p, cuts) => {
          // Random bytes rarely look like IPv4: force version 4 and a plausible length half of the time.
          const q = Uint8Array.from(p);
          if (q.length >= 20 && (q[1] & 1) === 1) {
            q[0] = 0x45;
            q[2] = q.length >> 8;
            q[3] = q.length & 0xff;
            q[16] = 10;
            q[17] = 0;
            q[18] = 0;
            q[19] = 1;
            fixChecksums(q, (q[1] & 2) === 2);
          }
          injectChain(w, q, cuts);
          settle(w);
        },
      ),
      fuzzParameters({ seed: 791, numRuns: RUNS }),
    );
  });

  it('IPv4, ICMP, UDP input: mutated valid packets (truncations, lengths, checksums, flags, padding)', () => {
    const w = world();
    const all = seeds();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.array(mutation, { maxLength: 4 }),
        fc.constantFrom(0 as const, 1 as const, 2 as const),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 5 }),
        fc.constantFrom(0, 0x100, 0x200),
        (i, muts, fix, cuts, flags) => {
          injectChain(w, mutate(all[i], muts, fix), cuts, flags);
          settle(w);
        },
      ),
      fuzzParameters({ seed: 792, numRuns: RUNS }),
    );
    // The fuzz reached the deep paths, not only the header checks.
    const icmp = icmpFor(w.host).stats;
    expect(icmp.echoReplied).toBeGreaterThan(0);
    expect(icmp.errorsReceived).toBeGreaterThan(0);
    expect(udpFor(w.host).stats.delivered).toBeGreaterThan(0);
  });

  it('reassembly: fragment streams out of order, duplicated, overlapping, incomplete, oversized', () => {
    const w = world();
    const frag = fc.record({
      // Offsets in 8-byte units, a few near the 65535 limit.
      unit: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 8150, max: 8191 })),
      len: fc.oneof(fc.integer({ min: 0, max: 1600 }), fc.constantFrom(8, 16, 1480)),
      mf: fc.boolean(),
      id: fc.integer({ min: 1, max: 3 }),
      proto: fc.constantFrom(1, 17, 99),
      hlenOpts: fc.constantFrom(0, 4, 40),
    });
    fc.assert(
      fc.property(fc.array(frag, { minLength: 1, maxLength: 24 }), fc.boolean(), (fs, settleBetween) => {
        for (const f of fs) {
          const payload = bytes(f.len, f.unit);
          const p = ipPacket(
            {
              src: PEER,
              dst: US,
              proto: f.proto,
              id: f.id,
              fragOffset: f.unit * 8,
              mf: f.mf,
              options: new Array(f.hlenOpts).fill(1),
            },
            payload,
          );
          w.ch.inject(p);
          if (settleBetween) w.sim.runFor(sec(10));
        }
        settle(w);
      }),
      fuzzParameters({ seed: 815, numRuns: Math.ceil(RUNS / 2) }),
    );
  });

  it('reassembly: a datagram cut into fragments and delivered in any order completes exactly once', () => {
    const w = world();
    fc.assert(
      fc.property(
        fc.integer({ min: 9, max: 6000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 0, max: 3 }),
        (size, unitsPerFrag, order, dups) => {
          const d = udpDatagram(PEER, US, 1, 53, bytes(size - 8));
          // At most 128 fragments (the default per-datagram limit).
          const step = Math.max(unitsPerFrag * 8, Math.ceil(size / 128 / 8) * 8);
          const pieces: Uint8Array[] = [];
          for (let o = 0; o < d.length; o += step) {
            const end = Math.min(o + step, d.length);
            pieces.push(
              ipPacket({ src: PEER, dst: US, proto: 17, id: 7, fragOffset: o, mf: end < d.length }, d.subarray(o, end)),
            );
          }
          // A permutation from `order`, plus a few exact duplicates.
          const idx = pieces.map((_, i) => i);
          for (let i = idx.length - 1; i > 0; i--) {
            const j = order[i % order.length] % (i + 1);
            [idx[i], idx[j]] = [idx[j], idx[i]];
          }
          // Duplicates go anywhere before the last arrival (a whole second copy after completion would
          // rightly be delivered again); an unfragmented datagram has nothing to duplicate.
          if (pieces.length > 1) {
            for (let k = 0; k < dups; k++) idx.splice(order[k % order.length] % idx.length, 0, idx[k % idx.length]);
          }
          const before = udpFor(w.host).stats.delivered;
          const joinedBefore = w.inet.stats.reassembled;
          for (const i of idx) w.ch.inject(pieces[i]);
          w.sim.runUntilIdle();
          if (pieces.length > 1) {
            // A duplicate that arrives after completion starts a new, never completed queue.
            expect(w.inet.stats.reassembled - joinedBefore).toBe(1);
          }
          expect(udpFor(w.host).stats.delivered - before).toBe(1);
          settle(w);
        },
      ),
      fuzzParameters({ seed: 5722, numRuns: Math.ceil(RUNS / 2) }),
    );
  });

  it('each protocol input called directly with random payloads behind a valid IP header', () => {
    const w = world();
    const icmp = icmpFor(w.host);
    const udp = udpFor(w.host);
    fc.assert(
      fc.property(
        fc.constantFrom('icmp', 'udp', 'ip'),
        fc.uint8Array({ maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 4 }),
        fc.boolean(),
        (which, payload, cuts, fix) => {
          const proto = which === 'icmp' ? 1 : 17;
          const p = ipPacket({ src: PEER, dst: US, proto }, payload);
          if (fix) fixChecksums(p, true);
          // The upper layers' contract: IP header contiguous in the first mbuf, packet trimmed.
          const m: Mbuf = chainFrom(w.host.pool, p, [20, ...cuts], 0);
          const ifp: Ifnet = w.ch.ifp;
          w.inet.stats.received++;
          w.inet.stats.delivered++;
          if (which === 'icmp') icmp.input(m, 20, ifp);
          else if (which === 'udp') udp.input(m, 20, ifp);
          else {
            w.inet.stats.received--;
            w.inet.stats.delivered--;
            w.inet.input(m, 0, ifp);
          }
          settle(w);
        },
      ),
      fuzzParameters({ seed: 768, numRuns: RUNS }),
    );
  });

  it('survives an exhausted pool: floods of fragments and echo requests into a tiny pool', () => {
    const w = world({ mbufs: 64, clusters: 6 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (ops) => {
          for (const [kind, k] of ops) {
            if (kind === 0) w.ch.inject(echoRequest(PEER, US, 1, k, 1200));
            else if (kind === 1)
              w.ch.inject(
                ipPacket({ src: PEER, dst: US, proto: 17, id: k, fragOffset: k * 1480, mf: true }, bytes(1480)),
              );
            else if (kind === 2) w.ch.inject(udpPacket(PEER, US, 1, 9, bytes(1400)));
            else w.ch.inject(ipPacket({ src: PEER, dst: US, proto: 1, id: 100 + k, mf: true }, bytes(1480)));
          }
          settle(w);
        },
      ),
      fuzzParameters({ seed: 96, numRuns: Math.ceil(RUNS / 4) }),
    );
    expect(w.host.pool.stats.mbufs.failures + w.host.pool.stats.clusters.failures).toBeGreaterThan(0);
  });

  it('the channel interface type is not special: the same holds on lo0', () => {
    const w = world();
    expect(w.ch.ifp.ifType).toBe(IFT_OTHER);
    const lo = w.host.lo0!;
    const inet = w.inet;
    for (let i = 0; i < 50; i++) {
      const m = w.host.pool.devget(bytes(40 + i, i), 0, 40 + i, null, 8)!;
      inet.output(m, 0, parseAddr('127.0.0.1'), [1, 17, 99][i % 3]);
    }
    w.sim.runUntilIdle();
    expect(lo.counters.ipackets).toBeGreaterThan(50);
    w.sim.runFor(sec(31));
    expect(w.host.pool.stats.mbufs.inUse).toBe(0);
  });
});
