import {
  ALLOC_RESERVE,
  DEFAULT_COST_PROFILE,
  type Host,
  type Ifnet,
  M_BCAST,
  NS_PER_SEC,
  createPlatform,
  Simulation,
} from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import {
  type Arp,
  type ArpConfig,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  arpFor,
  createEpair,
  DEFAULT_ARP_CONFIG,
  emitArp,
  ETHER_BROADCAST,
  ETHERTYPE_ARP,
  ETHERTYPE_IP,
  etherLinkLayer,
  findArp,
  formatMac,
  parseArp,
  parseMac,
} from '../src/index.js';
import {
  arpBytes,
  BCAST,
  channel,
  etherFrame,
  expectQuiescent,
  hex,
  ip,
  ipv4Bytes,
  MAC_A,
  MAC_B,
  MAC_C,
  sendIp,
  sink,
  tap,
  world,
} from './helpers.js';

const IP1 = ip('10.0.0.1');
const IP2 = ip('10.0.0.2');
const SEC = NS_PER_SEC;
const ZERO6 = new Uint8Array(6);

interface Pair {
  sim: Simulation;
  h1: Host;
  h2: Host;
  a: Ifnet;
  b: Ifnet;
  arp1: Arp;
  arp2: Arp;
  tapA: { tick: number; bytes: Uint8Array }[];
  tapB: { tick: number; bytes: Uint8Array }[];
  ip2: ReturnType<typeof sink>;
}

/** h1 (epair0a, 10.0.0.1, MAC_A) <-> h2 (epair0b, 10.0.0.2, MAC_B), announcements already exchanged. */
function pair(arp: Partial<ArpConfig> = {}, addAddresses = true): Pair {
  const { sim, hosts } = world(2, { arp });
  const [h1, h2] = hosts;
  const { a, b } = createEpair(h1, h2, { macA: MAC_A, macB: MAC_B });
  const ip2 = sink(h2, ETHERTYPE_IP, 'ip');
  sink(h1, ETHERTYPE_IP, 'ip');
  const arp1 = arpFor(h1);
  const arp2 = arpFor(h2);
  if (addAddresses) {
    arp1.addAddress(a, IP1);
    arp2.addAddress(b, IP2);
    sim.runUntilIdle();
  }
  const tapA = tap(a);
  const tapB = tap(b);
  return { sim, h1, h2, a, b, arp1, arp2, tapA, tapB, ip2 };
}

function requestFrame(sha: Uint8Array, spa: number, tpa: number): Uint8Array {
  return etherFrame(BCAST, sha, ETHERTYPE_ARP, arpBytes({ op: ARPOP_REQUEST, sha, spa, tpa }));
}

function replyFrame(sha: Uint8Array, spa: number, tha: Uint8Array, tpa: number): Uint8Array {
  return etherFrame(tha, sha, ETHERTYPE_ARP, arpBytes({ op: ARPOP_REPLY, sha, spa, tha, tpa }));
}

function markers(d: ReturnType<typeof sink>): number[] {
  return d.map((x) => x.bytes[20]);
}

function sumDrops(arp: Arp): number {
  return Object.values(arp.stats.drops).reduce((s, v) => s + v, 0);
}

describe('ARP header', () => {
  it('parses and emits the 28-byte Ethernet/IPv4 packet', () => {
    const bytes = arpBytes({ op: ARPOP_REPLY, sha: MAC_A, spa: IP1, tha: MAC_B, tpa: IP2 });
    const r = parseArp(bytes);
    expect(r).toEqual({ op: 2, sha: MAC_A, spa: IP1, tha: MAC_B, tpa: IP2 });
    const out = new Uint8Array(28);
    emitArp(r as Exclude<typeof r, string>, out);
    expect(out).toEqual(bytes);
    expect(parseArp(bytes.subarray(0, 7))).toBe('short');
    expect(parseArp(bytes.subarray(0, 27))).toBe('short');
    expect(parseArp(arpBytes({ op: 3, sha: MAC_A, spa: IP1, tpa: IP2 }))).toBe('bad-op');
    expect(parseArp(arpBytes({ op: 1, sha: MAC_A, spa: IP1, tpa: IP2, hrd: 6 }))).toBe('bad-hrd');
    expect(parseArp(arpBytes({ op: 1, sha: MAC_A, spa: IP1, tpa: IP2, pro: 0x86dd }))).toBe('bad-pro');
    expect(parseArp(arpBytes({ op: 1, sha: MAC_A, spa: IP1, tpa: IP2, hln: 8 }))).toBe('bad-hln');
    expect(parseArp(arpBytes({ op: 1, sha: MAC_A, spa: IP1, tpa: IP2, pln: 16 }))).toBe('bad-pln');
  });
});

describe('ARP resolution between two hosts over an epair', () => {
  it('announces configured addresses with a gratuitous ARP, byte by byte', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const { a, b } = createEpair(h1, h2, { macA: MAC_A, macB: MAC_B });
    const seen = tap(b);
    expect(arpFor(h1).addAddress(a, IP1)).toBe(true);
    expect(arpFor(h1).addAddress(a, IP1)).toBe(false); // already there: nothing sent
    sim.runUntilIdle();
    expect(seen.map((s) => hex(s.bytes))).toEqual([
      hex(etherFrame(BCAST, MAC_A, ETHERTYPE_ARP, arpBytes({ op: ARPOP_REQUEST, sha: MAC_A, spa: IP1, tpa: IP1 }))),
    ]);
    expect(arpFor(h1).stats.txGratuitous).toBe(1);
    // Not for h2 and h2 had no entry for 10.0.0.1: ignored, counted (RFC 826 creates nothing here).
    expect(arpFor(h2).stats).toMatchObject({ received: 1, ignored: 1, accepted: 0 });
    expect(b.counters.drops).toEqual({});
    expect(arpFor(h2).size).toBe(0);
    expectQuiescent(h1, h2);
  });

  it('resolves with a broadcast request and a unicast reply, then sends the held packet', () => {
    const p = pair();
    expect(sendIp(p.a, IP1, IP2, 1)).toBe(true);
    expect(p.arp1.lookup(p.a, IP2)).toMatchObject({ state: 'incomplete', tries: 1, held: 1, mac: null });
    p.sim.runFor(SEC / 100);

    // Request: broadcast, from MAC_A/10.0.0.1, target 10.0.0.2, THA zero. 42 bytes, unpadded.
    expect(p.tapB.map((s) => hex(s.bytes))).toEqual([
      'ff ff ff ff ff ff 02 00 00 00 00 0a 08 06 ' +
        '00 01 08 00 06 04 00 01 02 00 00 00 00 0a 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02',
      hex(etherFrame(MAC_B, MAC_A, ETHERTYPE_IP, ipv4Bytes(IP1, IP2, 1))),
    ]);
    // Reply: unicast to MAC_A, from MAC_B/10.0.0.2, target MAC_A/10.0.0.1.
    expect(p.tapA.map((s) => hex(s.bytes))).toEqual([
      '02 00 00 00 00 0a 02 00 00 00 00 0b 08 06 ' +
        '00 01 08 00 06 04 00 02 02 00 00 00 00 0b 0a 00 00 02 02 00 00 00 00 0a 0a 00 00 01',
    ]);
    expect(markers(p.ip2)).toEqual([1]);
    expect(p.arp1.lookup(p.a, IP2)).toMatchObject({
      ifname: 'epair0a',
      address: '10.0.0.2',
      state: 'resolved',
      mac: '02:00:00:00:00:0b',
      held: 0,
    });
    // h2 learned h1 from the request for its address (RFC 826: "I am the target" adds the sender).
    expect(p.arp2.lookup(p.b, IP1)).toMatchObject({ state: 'resolved', mac: '02:00:00:00:00:0a' });
    expect(p.arp1.stats).toMatchObject({ txRequests: 1, rxReplies: 1, held: 1, heldSent: 1, misses: 1, hits: 0 });
    expect(p.arp2.stats).toMatchObject({ rxRequests: 2, txReplies: 1, created: 1 }); // h1's announcement + the request

    // Resolved: the next packet goes out at once, no ARP.
    sendIp(p.a, IP1, IP2, 2);
    p.sim.runFor(SEC / 100);
    expect(markers(p.ip2)).toEqual([1, 2]);
    expect(p.arp1.stats.hits).toBe(1);
    expect(p.arp1.stats.txRequests).toBe(1);
    expectQuiescent(p.h1, p.h2);
  });

  it('sends every held packet, in order, when the reply arrives', () => {
    const p = pair();
    for (const k of [1, 2, 3]) sendIp(p.a, IP1, IP2, k);
    expect(p.arp1.lookup(p.a, IP2)!.held).toBe(3);
    expect(p.arp1.stats.txRequests).toBe(1); // one request, not one per packet
    p.sim.runFor(SEC / 100);
    expect(markers(p.ip2)).toEqual([1, 2, 3]);
    expect(p.arp1.stats.heldSent).toBe(3);
    expectQuiescent(p.h1, p.h2);
  });

  it('holds at most 4 packets per entry: older ones are dropped as arp.hold-overflow', () => {
    const p = pair();
    for (let k = 1; k <= 6; k++) expect(sendIp(p.a, IP1, IP2, k)).toBe(true);
    expect(p.a.counters.drops).toEqual({ 'arp.hold-overflow': 2 });
    expect(p.a.counters.oqdrops).toBe(2);
    expect(p.arp1.stats.drops).toEqual({ 'arp.hold-overflow': 2 });
    p.sim.runFor(SEC / 100);
    expect(markers(p.ip2)).toEqual([3, 4, 5, 6]);
    expectQuiescent(p.h1, p.h2);
  });

  it('uses the held packet source as sender address, else the address sharing the longest prefix', () => {
    const p = pair();
    const other = ip('192.168.7.1');
    p.arp1.addAddress(p.a, other);
    p.sim.runFor(SEC / 100);
    p.tapB.length = 0;
    sendIp(p.a, other, IP2, 1); // the packet's source is ours: the request says 192.168.7.1
    sendIp(p.a, ip('172.16.0.1'), ip('10.0.0.77'), 2); // not ours: 10.0.0.1 shares more bits with 10.0.0.77
    p.sim.runFor(SEC / 100);
    const spas = p.tapB
      .filter((s) => s.bytes[12] === 0x08 && s.bytes[13] === 0x06)
      .map((s) => parseArp(s.bytes.subarray(14)))
      .map((r) => (typeof r === 'string' ? r : r.spa));
    expect(spas).toEqual([other, IP1]);
  });
});

describe('ARP on other topologies', () => {
  it('resolves between the two ends of an epair on one host', () => {
    const { sim, hosts } = world(1);
    const h = hosts[0];
    const got = sink(h, ETHERTYPE_IP, 'ip');
    const { a, b } = createEpair(h, h, { macA: MAC_A, macB: MAC_B });
    const arp = arpFor(h);
    arp.addAddress(a, IP1);
    arp.addAddress(b, IP2);
    sendIp(a, IP1, IP2, 7);
    sim.runFor(SEC / 100);
    expect(got.map((d) => `${d.ifname} ${d.bytes[20]}`)).toEqual(['epair0b 7']);
    expect(arp.lookup(a, IP2)?.mac).toBe(formatMac(MAC_B));
    expect(arp.lookup(b, IP1)?.mac).toBe(formatMac(MAC_A));
    expect(arp.stats).toMatchObject({ txRequests: 1, txReplies: 1, txGratuitous: 2 });
    expectQuiescent(h);
  });

  it('resolves with the default CPU cost profile (time passes on both CPUs)', () => {
    const { sim, hosts } = world(2, { costs: DEFAULT_COST_PROFILE });
    const [h1, h2] = hosts;
    const got = sink(h2, ETHERTYPE_IP, 'ip');
    const { a, b } = createEpair(h1, h2);
    arpFor(h1).addAddress(a, IP1);
    arpFor(h2).addAddress(b, IP2);
    sim.runFor(SEC / 100);
    const t0 = h1.now();
    sendIp(a, IP1, IP2, 1);
    sim.runFor(SEC / 100);
    expect(got).toHaveLength(1);
    expect(h2.cpu.stats.chargedSoft[2]).toBeGreaterThan(0);
    expect(h1.now()).toBeGreaterThan(t0);
    expectQuiescent(h1, h2);
  });
});

describe('ARP timers (hz 100: 10 ms ticks)', () => {
  it('retransmits every second, 5 tries, then times out: held packets dropped, counted, shown to onUnreachable', () => {
    const p = pair();
    const dead = ip('10.0.0.9');
    const unreachable: string[] = [];
    p.arp1.onUnreachable = (ifp, addr, m) => {
      unreachable.push(`${ifp.name} ${addr === dead} marker=${m.buf[m.off + 20]} len=${m.pkthdr.len}`);
    };
    sendIp(p.a, IP1, dead, 1);
    sendIp(p.a, IP1, dead, 2);
    p.sim.runUntil(5 * SEC - 1);
    const requests = p.tapB.filter((s) => s.bytes[21] === ARPOP_REQUEST);
    expect(requests.map((s) => s.tick)).toEqual([0, 100, 200, 300, 400]);
    expect(new Set(requests.map((s) => hex(s.bytes))).size).toBe(1); // identical retransmissions
    expect(p.arp1.lookup(p.a, dead)).toMatchObject({ state: 'incomplete', tries: 5, held: 2 });
    expect(p.a.counters.drops).toEqual({});
    expect(unreachable).toEqual([]);

    p.sim.runUntil(5 * SEC); // tick 500: one interval after the fifth request
    expect(p.arp1.lookup(p.a, dead)).toBeUndefined();
    expect(p.a.counters.drops).toEqual({ 'arp.timeout': 2 });
    expect(p.arp1.stats).toMatchObject({ timeouts: 1, txRequests: 5, drops: { 'arp.timeout': 2 } });
    expect(unreachable).toEqual(['epair0a true marker=1 len=28', 'epair0a true marker=2 len=28']);
    // The requests reached h2, which ignored them (not its address), counted.
    expect(p.arp2.stats.ignored).toBe(5 + 1); // and h1's announcement at setup
    expect(p.b.counters.drops).toEqual({});
    expectQuiescent(p.h1, p.h2);

    // A new packet starts over. Sent mid-tick (7.005 s, tick 700), its retries still fall on whole ticks.
    p.sim.runUntil(7 * SEC + 5 * 1_000_000);
    sendIp(p.a, IP1, dead, 3);
    p.sim.runUntil(9 * SEC);
    expect(p.tapB.filter((s) => s.bytes[21] === ARPOP_REQUEST).map((s) => s.tick)).toEqual([
      0, 100, 200, 300, 400, 700, 800, 900,
    ]);
    p.sim.runUntil(20 * SEC);
    expect(p.a.counters.drops).toEqual({ 'arp.timeout': 3 });
    expect(p.arp1.size).toBe(0);
    expect(p.arp1.stats.timeouts).toBe(2);
  });

  it('follows configured intervals and tries', () => {
    const p = pair({ retransmitIntervalNs: 0.25 * SEC, maxTries: 2 });
    sendIp(p.a, IP1, ip('10.0.0.9'), 1);
    p.sim.runUntil(2 * SEC);
    expect(p.tapB.filter((s) => s.bytes[21] === ARPOP_REQUEST).map((s) => s.tick)).toEqual([0, 25]);
    expect(p.arp1.stats.timeouts).toBe(1);
    expect(p.a.counters.drops).toEqual({ 'arp.timeout': 1 });
    expectQuiescent(p.h1, p.h2);
  });

  it('swallows and counts an onUnreachable hook that throws', () => {
    const p = pair({ maxTries: 1 });
    p.arp1.onUnreachable = () => {
      throw new Error('inet bug');
    };
    sendIp(p.a, IP1, ip('10.0.0.9'), 1);
    p.sim.runUntil(2 * SEC);
    expect(p.arp1.stats.hookErrors).toBe(1);
    expect(p.a.counters.drops).toEqual({ 'arp.timeout': 1 });
    expectQuiescent(p.h1, p.h2);
  });

  it('keeps resolved entries 20 minutes by default', () => {
    const p = pair();
    expect(p.arp1.config).toEqual(DEFAULT_ARP_CONFIG);
    expect(DEFAULT_ARP_CONFIG).toEqual({
      maxEntries: 512,
      holdQueueLength: 4,
      holdQueueBytes: 16 * 1024,
      maxHeldPackets: 256,
      maxHeldBytes: 256 * 1024,
      entryLifetimeNs: 1200 * SEC,
      retransmitIntervalNs: SEC,
      maxTries: 5,
    });
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runFor(SEC / 100);
    expect(p.arp1.lookup(p.a, IP2)!.deadline).toBe(1200 * SEC);
    p.sim.runUntil(1200 * SEC - 1);
    expect(p.arp1.lookup(p.a, IP2)!.state).toBe('resolved');
    p.sim.runUntil(1200 * SEC);
    expect(p.arp1.lookup(p.a, IP2)).toBeUndefined();
    expect(p.arp1.stats.expired).toBe(1);
  });

  it('expires resolved entries after the configured lifetime; a received ARP refreshes them', () => {
    const p = pair({ entryLifetimeNs: 60 * SEC });
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runUntil(30 * SEC);
    // h2 re-announces at 30 s: h1's entry is confirmed again and lives until 90 s.
    p.arp2.announce(p.b, IP2);
    p.sim.runUntil(60 * SEC);
    expect(p.arp1.lookup(p.a, IP2)).toMatchObject({ state: 'resolved', deadline: 90 * SEC });
    expect(p.arp2.lookup(p.b, IP1)).toBeUndefined(); // h2's entry for h1, learned at 0 s, expired at 60 s
    expect(p.arp2.stats.expired).toBe(1);
    p.sim.runUntil(90 * SEC - 1);
    expect(p.arp1.lookup(p.a, IP2)).toBeDefined();
    p.sim.runUntil(90 * SEC);
    expect(p.arp1.lookup(p.a, IP2)).toBeUndefined();
    expect(p.arp1.stats).toMatchObject({ expired: 1, updates: 2, moved: 0 });
    // The next packet resolves again.
    sendIp(p.a, IP1, IP2, 2);
    p.sim.runUntil(91 * SEC);
    expect(markers(p.ip2)).toEqual([1, 2]);
    expect(p.arp1.stats.txRequests).toBe(2);
    expectQuiescent(p.h1, p.h2);
  });
});

describe('ARP cache bound', () => {
  function many(maxEntries: number) {
    const p = pair({ maxEntries });
    for (const a of ['10.0.0.3', '10.0.0.4', '10.0.0.5']) p.arp2.addAddress(p.b, ip(a));
    p.sim.runFor(SEC / 100);
    return p;
  }

  it('evicts the oldest resolved entry to make room', () => {
    const p = many(3);
    for (const [k, a] of ['10.0.0.2', '10.0.0.3', '10.0.0.4'].entries()) {
      sendIp(p.a, IP1, ip(a), k);
      p.sim.runFor(SEC / 100);
    }
    expect(p.arp1.entries().map((e) => `${e.address} ${e.state}`)).toEqual([
      '10.0.0.2 resolved',
      '10.0.0.3 resolved',
      '10.0.0.4 resolved',
    ]);
    sendIp(p.a, IP1, ip('10.0.0.5'), 9);
    expect(p.arp1.size).toBe(3);
    expect(p.arp1.stats.evicted).toBe(1);
    expect(p.arp1.lookup(p.a, IP2)).toBeUndefined();
    p.sim.runFor(SEC / 100);
    expect(p.arp1.entries().map((e) => e.address)).toEqual(['10.0.0.3', '10.0.0.4', '10.0.0.5']);
    expect(markers(p.ip2)).toEqual([0, 1, 2, 9]);
    expectQuiescent(p.h1, p.h2);
  });

  it('counts age from the last confirmation: a refreshed entry is young again', () => {
    const p = many(3);
    for (const a of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) {
      sendIp(p.a, IP1, ip(a), 0);
      p.sim.runFor(SEC / 100);
    }
    p.arp2.announce(p.b, IP2); // refreshes 10.0.0.2 on h1
    p.sim.runFor(SEC / 100);
    sendIp(p.a, IP1, ip('10.0.0.5'), 0);
    p.sim.runFor(SEC / 100);
    expect(
      p.arp1
        .entries()
        .map((e) => e.address)
        .sort(),
    ).toEqual(['10.0.0.2', '10.0.0.4', '10.0.0.5']);
  });

  it('counts incomplete entries against the bound and evicts the oldest incomplete one when no resolved one is left', () => {
    const p = pair({ maxEntries: 2 });
    sendIp(p.a, IP1, ip('10.0.0.8'), 1);
    sendIp(p.a, IP1, ip('10.0.0.9'), 2);
    expect(sendIp(p.a, IP1, ip('10.0.0.7'), 3)).toBe(true);
    expect(p.arp1.size).toBe(2);
    expect(p.arp1.incomplete).toBe(2);
    expect(p.arp1.entries().map((e) => e.address)).toEqual(['10.0.0.9', '10.0.0.7']);
    expect(p.a.counters.drops).toEqual({ 'arp.evicted': 1 });
    expect(p.arp1.stats).toMatchObject({ evictedIncomplete: 1, txRequests: 3 });
    p.sim.runUntil(10 * SEC);
    expect(p.arp1.size).toBe(0);
    expect(p.a.counters.drops).toEqual({ 'arp.evicted': 1, 'arp.timeout': 2 });
    expectQuiescent(p.h1, p.h2);
  });

  it('refuses a resolution when only static entries fill the cache', () => {
    const p = pair({ maxEntries: 2 });
    p.arp1.addStatic(p.a, ip('10.0.0.8'), MAC_C);
    p.arp1.addStatic(p.a, ip('10.0.0.9'), MAC_C);
    expect(sendIp(p.a, IP1, ip('10.0.0.7'), 3)).toBe(true);
    expect(p.a.counters.drops).toEqual({ 'arp.cache-full': 1 });
    expectQuiescent(p.h1, p.h2);
  });

  it('bounds what all hold queues pin together, dropping the oldest held packet anywhere', () => {
    const p = pair({ maxHeldPackets: 6, holdQueueLength: 4 });
    // Three dead next hops, 3 packets each: 9 held without the global bound, 6 with it.
    for (let i = 0; i < 9; i++) sendIp(p.a, IP1, ip(`10.0.0.${7 + (i % 3)}`), i);
    expect(p.arp1.heldPackets).toBe(6);
    expect(p.a.counters.drops).toEqual({ 'arp.hold-limit': 3 });
    // The oldest entry (10.0.0.7) lost its packets first.
    expect(p.arp1.entries().map((e) => e.held)).toEqual([0, 3, 3]);
    // A byte bound: a hold queue holds at most holdQueueBytes of storage (m_truesize).
    p.arp1.configure({ maxHeldBytes: 4 * p.h1.pool.msize });
    expect(p.arp1.heldPackets).toBe(4);
    expect(p.arp1.heldBytes).toBeLessThanOrEqual(4 * p.h1.pool.msize);
    p.sim.runUntil(10 * SEC);
    expect(p.arp1.heldPackets).toBe(0);
    expect(p.arp1.heldBytes).toBe(0);
    expectQuiescent(p.h1, p.h2);
  });

  it('holds nothing while only the pool reserve is left (arp.mempressure)', () => {
    const p = pair();
    const taken = [];
    for (let m = p.h1.pool.get(); m !== null; m = p.h1.pool.get()) taken.push(m);
    expect(p.h1.pool.pressure).toBe(true);
    const m = p.h1.pool.devget(ipv4Bytes(IP1, ip('10.0.0.9'), 1), 0, 28, null, 32, ALLOC_RESERVE)!;
    p.a.output(m, 0x0800, ip('10.0.0.9'));
    expect(p.arp1.heldPackets).toBe(0);
    // (The request could not be built either: ordinary allocations stop at the reserve, `arp.nobufs`.)
    expect(p.a.counters.drops).toEqual({ 'arp.mempressure': 1, 'arp.nobufs': 1 });
    for (const x of taken) p.h1.pool.free(x);
    p.sim.runUntil(10 * SEC);
    expectQuiescent(p.h1, p.h2);
  });

  it('forgets a detached interface: entries, timers, held packets (arp.detached), addresses', async () => {
    const p = pair();
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runFor(SEC / 100); // resolved
    sendIp(p.a, IP1, ip('10.0.0.9'), 2); // incomplete, one packet held, a retransmission timer armed
    expect(p.arp1.size).toBe(2);
    const requests = p.arp1.stats.txRequests;
    const done = p.h1.ifDetach(p.a);
    p.sim.runFor(SEC / 100);
    await done;
    expect(p.arp1.size).toBe(0);
    expect(p.arp1.heldPackets).toBe(0);
    expect(p.arp1.addresses(p.a)).toEqual([]);
    expect(p.arp1.stats.drops).toEqual({ 'arp.detached': 1 });
    p.sim.runFor(10 * SEC); // no timer of the detached interface fires
    expect(p.arp1.stats.txRequests).toBe(requests);
    expectQuiescent(p.h1, p.h2);
  });

  it('a smaller bound set at run time evicts down to it', () => {
    const p = many(8);
    for (const a of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) {
      sendIp(p.a, IP1, ip(a), 0);
      p.sim.runFor(SEC / 100);
    }
    p.arp1.configure({ maxEntries: 1 });
    expect(p.arp1.entries().map((e) => e.address)).toEqual(['10.0.0.4']);
    expect(() => p.arp1.configure({ maxTries: 0 })).toThrow(RangeError);
    expect(() => p.arp1.configure({ holdQueueLength: 1.5 })).toThrow(RangeError);
    expect(p.arp1.config.maxTries).toBe(5);
  });
});

describe('ARP input: RFC 826 merge, gratuitous ARP, validation', () => {
  it('updates an existing entry from a gratuitous ARP (the address moved to another MAC)', () => {
    const p = pair();
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runFor(SEC / 100);
    expect(p.arp1.lookup(p.a, IP2)!.mac).toBe('02:00:00:00:00:0b');
    p.b.setLinkAddress(MAC_C);
    p.arp2.announce(p.b, IP2);
    p.sim.runFor(SEC / 100);
    expect(p.arp1.lookup(p.a, IP2)!.mac).toBe(formatMac(MAC_C));
    expect(p.arp1.stats).toMatchObject({ moved: 1, updates: 2, accepted: 2 });
    sendIp(p.a, IP1, IP2, 2);
    p.sim.runFor(SEC / 100);
    expect(markers(p.ip2)).toEqual([1, 2]);
    expect(p.tapB.at(-1)!.bytes.subarray(0, 6)).toEqual(MAC_C);
    expectQuiescent(p.h1, p.h2);
  });

  it('announces the addresses of an interface when it comes up', () => {
    const { sim, hosts } = world(2);
    const [h1, h2] = hosts;
    const { a, b } = createEpair(h1, h2, { macA: MAC_A, macB: MAC_B, up: false });
    const seen = tap(b);
    arpFor(h1).addAddress(a, IP1);
    expect(arpFor(h1).stats.txGratuitous).toBe(0);
    b.upIf();
    a.upIf();
    sim.runUntilIdle();
    expect(seen).toHaveLength(1);
    expect(parseArp(seen[0].bytes.subarray(14))).toMatchObject({ op: 1, spa: IP1, tpa: IP1, tha: ZERO6 });
    expect(arpFor(h1).removeAddress(a, IP1)).toBe(true);
    expect(arpFor(h1).removeAddress(a, IP1)).toBe(false);
    expect(arpFor(h1).addresses(a)).toEqual([]);
  });

  function chan(h?: Host) {
    const host = h ?? world(1, { loopback: true }).hosts[0];
    const ch = channel(host, MAC_A);
    const arp = arpFor(host);
    arp.addAddress(ch.ifp, IP1);
    ch.sent.length = 0; // the announcement
    return { host, ch, arp, ifp: ch.ifp };
  }

  it('answers a request for our address and learns the requester', () => {
    const { host, ch, arp, ifp } = chan();
    const peer = ip('10.0.0.5');
    ch.inject(requestFrame(MAC_B, peer, IP1));
    expect(ch.sent.map(hex)).toEqual([hex(replyFrame(MAC_A, IP1, MAC_B, peer))]);
    expect(arp.lookup(ifp, peer)).toMatchObject({ state: 'resolved', mac: formatMac(MAC_B) });
    expect(arp.stats).toMatchObject({ received: 1, accepted: 1, rxRequests: 1, txReplies: 1, created: 1 });
    expect(ifp.counters.drops).toEqual({});
    expectQuiescent(host);
  });

  it('answers an RFC 5227 probe (sender address 0) without learning from it', () => {
    const { host, ch, arp, ifp } = chan();
    ch.inject(requestFrame(MAC_B, 0, IP1));
    expect(ch.sent.map(hex)).toEqual([hex(replyFrame(MAC_A, IP1, MAC_B, 0))]);
    expect(arp.size).toBe(0);
    expect(arp.stats.accepted).toBe(1);
    expect(ifp.counters.drops).toEqual({});
    expectQuiescent(host);
  });

  it('adds the sender of an unsolicited reply for us (RFC 826), and updates on any packet from a known sender', () => {
    const { host, ch, arp, ifp } = chan();
    const peer = ip('10.0.0.6');
    ch.inject(replyFrame(MAC_B, peer, MAC_A, IP1));
    expect(arp.lookup(ifp, peer)).toMatchObject({ state: 'resolved', mac: formatMac(MAC_B) });
    // A request for somebody else, but from a sender we know: merged, accepted, no reply.
    ch.inject(requestFrame(MAC_C, peer, ip('10.0.0.99')));
    expect(arp.lookup(ifp, peer)!.mac).toBe(formatMac(MAC_C));
    expect(ch.sent).toEqual([]);
    // From a sender we do not know, for somebody else: ignored, counted.
    ch.inject(requestFrame(MAC_C, ip('10.0.0.7'), ip('10.0.0.99')));
    expect(arp.lookup(ifp, ip('10.0.0.7'))).toBeUndefined();
    expect(arp.stats).toMatchObject({ received: 3, accepted: 2, ignored: 1, updates: 1, moved: 1 });
    expect(arp.stats.drops).toEqual({});
    expect(ifp.counters.drops).toEqual({});
    expectQuiescent(host);
  });

  it('rejects every malformed or suspicious packet with a counted reason', () => {
    const { host, ch, arp, ifp } = chan();
    const ok = { op: ARPOP_REQUEST, sha: MAC_B, spa: ip('10.0.0.5'), tpa: IP1 };
    const cases: [string, Uint8Array][] = [
      ['arp.short', new Uint8Array(7)],
      ['arp.short', arpBytes(ok).subarray(0, 27)],
      ['arp.bad-hrd', arpBytes({ ...ok, hrd: 6 })],
      ['arp.bad-pro', arpBytes({ ...ok, pro: 0x86dd })],
      ['arp.bad-hln', arpBytes({ ...ok, hln: 0 })],
      ['arp.bad-pln', arpBytes({ ...ok, pln: 16 })],
      ['arp.bad-op', arpBytes({ ...ok, op: 3 })],
      ['arp.bad-op', arpBytes({ ...ok, op: 0x0101 })],
      ['arp.bad-sha', arpBytes({ ...ok, sha: BCAST })],
      ['arp.bad-sha', arpBytes({ ...ok, sha: parseMac('01:00:5e:00:00:01') })],
      ['arp.own-frame', arpBytes({ ...ok, sha: MAC_A })],
      ['arp.bad-spa', arpBytes({ ...ok, spa: 0xffffffff })],
      ['arp.bad-spa', arpBytes({ ...ok, spa: ip('224.0.0.1') })],
      ['arp.bad-spa', arpBytes({ ...ok, spa: ip('240.0.0.1') })],
      ['arp.addr-conflict', arpBytes({ ...ok, spa: IP1 })],
    ];
    for (const [reason, payload] of cases) {
      const before = ifp.counters.drops[reason] ?? 0;
      ch.inject(etherFrame(BCAST, MAC_B, ETHERTYPE_ARP, payload));
      expect([reason, ifp.counters.drops[reason]]).toEqual([reason, before + 1]);
    }
    expect(ch.sent).toEqual([]);
    expect(arp.size).toBe(0);
    expect(arp.stats.received).toBe(cases.length);
    expect(arp.stats.accepted).toBe(0);
    expect(sumDrops(arp)).toBe(cases.length);
    expect(ifp.counters.iqdrops).toBe(cases.length);
    expect(arp.stats.conflicts).toBe(1);
    // A minimum-size Ethernet frame carries 18 bytes of padding after the ARP packet: accepted.
    ch.inject(etherFrame(BCAST, MAC_B, ETHERTYPE_ARP, new Uint8Array([...arpBytes(ok), ...new Uint8Array(18)])));
    expect(arp.stats.accepted).toBe(1);
    expectQuiescent(host);
  });

  it('drops ARP arriving on an interface that is not Ethernet', () => {
    const { host, arp } = chan();
    const lo = host.lo0!;
    const m = host.pool.devget(arpBytes({ op: 1, sha: MAC_B, spa: IP2, tpa: IP1 }), 0, 28, null)!;
    lo.output(m, ETHERTYPE_ARP, null);
    (host.runner as Simulation).runUntilIdle();
    expect(lo.counters.drops).toEqual({ 'arp.not-ether': 1 });
    expect(arp.stats.drops).toEqual({ 'arp.not-ether': 1 });
    expectQuiescent(host);
  });
});

describe('ARP output special cases', () => {
  it('maps broadcast and multicast next hops without the cache, and refuses bad ones', () => {
    const host = world(1).hosts[0];
    const ch = channel(host, MAC_A);
    const arp = arpFor(host);
    const send = (dst: unknown, bcast = false) => {
      const m = host.pool.devget(ipv4Bytes(IP1, 0, 1), 0, 28, null, 16)!;
      if (bcast) m.flags |= M_BCAST;
      return ch.ifp.output(m, ETHERTYPE_IP, dst);
    };
    send(0xffffffff);
    send(ip('224.0.0.251'));
    send(ip('239.255.255.250'));
    send(ip('10.0.0.255'), true); // a directed broadcast, flagged by IP
    // The signed forms (`a | 0`, what IPv4's data path passes) are the same addresses.
    send(-1);
    send(ip('239.255.255.250') | 0);
    expect(ch.sent.map((f) => formatMac(f.subarray(0, 6)))).toEqual([
      'ff:ff:ff:ff:ff:ff',
      '01:00:5e:00:00:fb',
      '01:00:5e:7f:ff:fa',
      'ff:ff:ff:ff:ff:ff',
      'ff:ff:ff:ff:ff:ff',
      '01:00:5e:7f:ff:fa',
    ]);
    expect(arp.size).toBe(0);
    for (const bad of ['10.0.0.1', -(2 ** 31) - 1, 2 ** 32, 1.5, 0, ip('240.0.0.1'), null]) send(bad);
    expect(ch.ifp.counters.drops).toEqual({ 'arp.bad-dst': 7 });
    expect(arp.stats.drops).toEqual({ 'arp.bad-dst': 7 });
    expect(ETHER_BROADCAST).toEqual(BCAST);
    expectQuiescent(host);
  });

  it('finds an entry at or above 128.0.0.0 by its unsigned or signed next hop', () => {
    const host = world(1).hosts[0];
    const ch = channel(host, MAC_A);
    const arp = arpFor(host);
    const high = ip('192.0.2.7');
    arp.addStatic(ch.ifp, high, MAC_C);
    for (const dst of [high, high | 0]) {
      const m = host.pool.devget(ipv4Bytes(IP1, 0, 1), 0, 28, null, 16)!;
      expect(ch.ifp.output(m, ETHERTYPE_IP, dst)).toBe(true);
    }
    expect(ch.sent.map((f) => formatMac(f.subarray(0, 6)))).toEqual([formatMac(MAC_C), formatMac(MAC_C)]);
    expect(arp.size).toBe(1);
    expect(arp.lookup(ch.ifp, high)).toMatchObject({ addr: high, state: 'static' });
    expect(arp.stats.hits).toBe(2);
    expect(() => arp.addStatic(ch.ifp, high | 0, MAC_C)).toThrow(RangeError); // configuration: unsigned only
    expectQuiescent(host);
  });

  it('answers from the entry it found last only while that entry stands, per interface', () => {
    const host = world(1).hosts[0];
    const ch1 = channel(host, MAC_A);
    const ch2 = channel(host, MAC_A);
    const arp = arpFor(host);
    const send = (ifp: Ifnet) => {
      const m = host.pool.devget(ipv4Bytes(IP1, IP2, 1), 0, 28, null, 16)!;
      expect(ifp.output(m, ETHERTYPE_IP, IP2)).toBe(true);
    };
    const dsts = (sent: Uint8Array[]) => sent.map((f) => formatMac(f.subarray(0, 6)));
    arp.addStatic(ch1.ifp, IP2, MAC_B);
    arp.addStatic(ch2.ifp, IP2, MAC_C);
    // Same next hop on two interfaces: the entry of the interface asked.
    send(ch1.ifp);
    send(ch2.ifp);
    send(ch1.ifp);
    expect(dsts(ch1.sent)).toEqual([formatMac(MAC_B), formatMac(MAC_B)]);
    expect(dsts(ch2.sent)).toEqual([formatMac(MAC_C)]);
    // Replaced: the next packet gets the new address.
    expect(arp.delete(ch1.ifp, IP2)).toBe(true);
    arp.addStatic(ch1.ifp, IP2, MAC_C);
    send(ch1.ifp);
    expect(dsts(ch1.sent).at(-1)).toBe(formatMac(MAC_C));
    // Deleted: the next packet starts a resolution and waits on it; nothing is framed to the old address.
    expect(arp.delete(ch1.ifp, IP2)).toBe(true);
    send(ch1.ifp);
    expect(ch1.sent.length).toBe(3);
    expect(arp.lookup(ch1.ifp, IP2)).toMatchObject({ state: 'incomplete' });
    expect(arp.stats.hits).toBe(4);
    expect(arp.stats.misses).toBe(1);
    expect(arp.flush()).toBe(2);
    expectQuiescent(host);
  });

  it('counts a request it cannot send for want of a source address, and still times out', () => {
    const p = pair({}, false);
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runUntil(6 * SEC);
    expect(p.tapB).toEqual([]);
    expect(p.a.counters.drops).toEqual({ 'arp.no-source': 5, 'arp.timeout': 1 });
    expect(p.a.counters.oerrors).toBe(5);
    expectQuiescent(p.h1, p.h2);
  });

  it('static entries: used at once, never changed by received packets, removable', () => {
    const p = pair();
    p.arp1.addStatic(p.a, IP2, MAC_B);
    expect(p.arp1.lookup(p.a, IP2)).toMatchObject({ state: 'static', mac: formatMac(MAC_B), deadline: null });
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runFor(SEC / 100);
    expect(markers(p.ip2)).toEqual([1]);
    expect(p.arp1.stats.txRequests).toBe(0);
    p.b.setLinkAddress(MAC_C);
    p.arp2.announce(p.b, IP2);
    p.sim.runFor(SEC / 100);
    expect(p.arp1.lookup(p.a, IP2)!.mac).toBe(formatMac(MAC_B));
    expect(p.arp1.delete(p.a, IP2)).toBe(true);
    expect(p.arp1.delete(p.a, IP2)).toBe(false);
    // A static entry replacing an incomplete one sends what was held.
    sendIp(p.a, IP1, ip('10.0.0.9'), 2);
    p.arp1.addStatic(p.a, ip('10.0.0.9'), MAC_C);
    p.sim.runFor(SEC / 100);
    expect(p.tapB.at(-1)!.bytes.subarray(0, 6)).toEqual(MAC_C);
    expect(p.arp1.incomplete).toBe(0);
    expect(() => p.arp1.addStatic(p.a, IP2, BCAST)).toThrow(RangeError);
    expect(p.arp1.flush()).toBe(1);
    expectQuiescent(p.h1, p.h2);
  });

  it('delete and flush drop held packets as arp.deleted', () => {
    const p = pair();
    sendIp(p.a, IP1, ip('10.0.0.8'), 1);
    sendIp(p.a, IP1, ip('10.0.0.9'), 2);
    expect(p.arp1.delete(p.a, ip('10.0.0.8'))).toBe(true);
    expect(p.arp1.flush(p.a)).toBe(1);
    expect(p.a.counters.drops).toEqual({ 'arp.deleted': 2 });
    p.sim.runFor(SEC / 100); // the two requests reach h2
    expectQuiescent(p.h1, p.h2);
  });

  it('snapshots settings, counters, addresses and entries as plain data', () => {
    const p = pair();
    sendIp(p.a, IP1, IP2, 1);
    p.sim.runFor(SEC / 100);
    const s = p.arp1.snapshot();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s).toMatchObject({
      host: 'h1',
      size: 1,
      incomplete: 0,
      addresses: { epair0a: ['10.0.0.1'] },
      entries: [{ ifname: 'epair0a', address: '10.0.0.2', mac: '02:00:00:00:00:0b', state: 'resolved' }],
    });
    expect(s.stats.txRequests).toBe(1);
  });
});

describe('ARP module wiring', () => {
  it('arpFor throws on a host without ARP, naming the fix', () => {
    const platform = createPlatform();
    platform.registerLinkLayer(etherLinkLayer);
    const h = platform.createHost({ name: 'bare', runner: new Simulation() });
    expect(findArp(h)).toBeUndefined();
    expect(() => arpFor(h)).toThrow(/bare: ARP is not attached .*registerEther/);
  });

  it('registers ARP input and the IPv4 resolver on each host', () => {
    const { hosts } = world(2);
    for (const h of hosts) {
      expect(h.ethertypes.lookup(ETHERTYPE_ARP)?.name).toBe('arp');
      expect(h.protocols.map((m) => m.name)).toContain('arp');
    }
    expect(arpFor(hosts[0])).not.toBe(arpFor(hosts[1]));
  });

  it('checks the arguments of addAddress', () => {
    const { hosts } = world(1, { loopback: true });
    const h = hosts[0];
    const ch = channel(h);
    const arp = arpFor(h);
    expect(() => arp.addAddress(ch.ifp, 0)).toThrow(RangeError);
    expect(() => arp.addAddress(ch.ifp, ip('224.0.0.1'))).toThrow(RangeError);
    expect(() => arp.addAddress(ch.ifp, -5)).toThrow(RangeError);
    expect(() => arp.addAddress(h.lo0!, IP1)).toThrow(/not an Ethernet interface/);
  });
});
