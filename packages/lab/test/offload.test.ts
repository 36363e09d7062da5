import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTEXT_SWITCH_NS,
  EspFrameBook,
  OFFLOAD_MODEL_NAMES,
  espFrameLayout,
  offloadCostProfile,
  offloadPlotSpecs,
  offloadSweep,
  formatOffloadTable,
  runOffloadPoint,
} from '../src/index.js';

const LOW = 10_000;
const OVER = 300_000;
const W = { windowMs: 20 };

describe('ifnet lab offload: interrupt threads vs continuations on the ESP receive path (virtual clock)', () => {
  const report = offloadSweep({ rates: [LOW, 100_000, OVER], depths: [1, 4, 16], depthRate: OVER, ...W });
  const at = (model: string, rate: number) => {
    const p = report.models[model].find((r) => r.offered_pps === rate);
    if (!p) throw new Error(`no point ${model}@${rate}`);
    return p;
  };
  const depth = (model: string, d: number) => report.depth.models[model].find((p) => p.queue_depth === d)!;

  it('accounts for every offered frame in every run, and loses no mbuf (ESP jobs in flight included)', () => {
    for (const rows of [...Object.values(report.models), ...Object.values(report.depth.models)])
      for (const p of rows) {
        expect(p.accounted).toBe(true);
        expect(p.mbufs_balanced).toBe(true);
      }
  });

  it('at low load both deliver every datagram; the thread model switches exactly six times per packet, as the seed counts', () => {
    const th = at('interrupt-thread', LOW);
    const kc = at('continuation', LOW);
    expect(th.delivered_pps).toBe(LOW);
    expect(kc.delivered_pps).toBe(LOW);
    // user → NIC ithread → softint → user, user → crypto ithread → softint → user (the application).
    expect(th.switches_per_packet).toBe(6);
    expect(th.switches_per_s).toBe(6 * LOW);
    expect(th.switches_to).toEqual({
      user: 2 * LOW, // softint → user after the dispatch, and the application after the cleartext packet
      'NIC ithread': LOW,
      'crypto ithread': LOW,
      'softint (swi_net)': 2 * LOW, // ipintrq, then the crypto completion
      'softclock (swi_clock)': 0,
    });
    expect(kc.switches_to).toEqual({});
    // One interrupt per packet from each device, as in the seed's scenario.
    expect(th.nic_interrupts_per_s).toBe(LOW);
    expect(th.card_interrupts_per_s).toBe(LOW);
    // The switches' price is the difference in CPU time per packet (6 × 2 µs), shown as its own share.
    expect(th.cpu.switch).toBeCloseTo((6 * LOW * DEFAULT_CONTEXT_SWITCH_NS) / 1e9, 9);
    expect(th.cpu_us_per_packet - kc.cpu_us_per_packet).toBeGreaterThanOrEqual(12);
    expect(th.cpu_us_per_packet - kc.cpu_us_per_packet).toBeLessThan(12.5);
    expect(th.latency_p50_us).toBeGreaterThan(kc.latency_p50_us + 6 * 1.5);
  });

  it('the continuation model never switches: the card’s completion interrupt schedules the ESP continuation', () => {
    for (const p of [...report.models.continuation, ...report.depth.models.continuation]) {
      expect(p.switches_per_packet).toBe(0);
      expect(p.cpu.switch).toBe(0);
    }
  });

  it('under overload the threads batch (fewer switches per packet) but still spend a large share on switching; continuations deliver more', () => {
    const th = at('interrupt-thread', OVER);
    const kc = at('continuation', OVER);
    expect(th.switches_per_packet).toBeGreaterThan(0.5);
    expect(th.switches_per_packet).toBeLessThan(6);
    expect(th.cpu.switch).toBeGreaterThan(0.2);
    expect(kc.delivered_pps).toBeGreaterThan(1.5 * th.delivered_pps);
    expect(kc.cpu.idle + th.cpu.idle).toBeLessThan(0.01); // both CPU-bound
  });

  it('card queue depth: one slot starves both models (the card idles while the CPU turns around); four is what the CPU can feed', () => {
    for (const m of OFFLOAD_MODEL_NAMES) {
      expect(depth(m, 1).delivered_pps).toBeLessThan(depth(m, 4).delivered_pps);
      expect(depth(m, 1).card_busy).toBeLessThan(depth(m, 4).card_busy);
    }
    expect(depth('continuation', 1).delivered_pps).toBeLessThan(0.75 * depth('continuation', 4).delivered_pps);
    // Continuations: beyond 4 the CPU, not the card, is the limit — 16 changes nothing.
    expect(depth('continuation', 16).delivered_pps).toBe(depth('continuation', 4).delivered_pps);
    // Threads: since the application became preemptible per datagram (inet's drain), the thread model is
    // bound by its switches and the socket at every depth (41,600 / 45,000 / 59,580/s at 1 / 4 / 16 in the
    // 50 ms sweep); a deeper queue no longer delivers less than 4, as it did when the drain ran 64 at once.
    expect(depth('interrupt-thread', 16).delivered_pps).toBeLessThan(depth('continuation', 4).delivered_pps);
  });

  it('is deterministic for a seed', () => {
    expect(runOffloadPoint('interrupt-thread', 100_000, { ...W, costs: offloadCostProfile() })).toEqual(
      at('interrupt-thread', 100_000),
    );
  });

  it('formats a table and plot specs', () => {
    const t = formatOffloadTable(report);
    expect(t).toContain('interrupt-thread');
    expect(t).toContain('card queue depth vs throughput at 300,000/s offered');
    expect(t).not.toContain('NOT ACCOUNTED');
    const specs = offloadPlotSpecs(report);
    expect(specs.map((s) => s.name)).toEqual(['delivered', 'switches', 'latency', 'depth']);
    const data = (specs[3].spec.data as { values: unknown[] }).values;
    expect(data).toHaveLength(6);
  });

  it('rejects an unknown model by name and a bad switch cost', () => {
    expect(() => offloadSweep({ models: ['continuation', 'nope'] })).toThrow(/unknown offload model 'nope'/);
    expect(() => offloadCostProfile(Number.NaN)).toThrow(RangeError);
  });
});

describe('EspFrameBook', () => {
  it('builds RFC 4303 frames: 4-byte aligned ESP payload, consecutive sequence numbers, each frame distinct', () => {
    const book = new EspFrameBook(32);
    const l = espFrameLayout(32);
    expect(l.espPayload % 4).toBe(0);
    const a = book.frame(1);
    const b = book.frame(2);
    expect(a.length).toBe(l.frameLen);
    expect(book.size).toBe(2);
    const v = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset, f.length);
    expect(v(a).getUint32(34 + 4)).toBe(1);
    expect(v(b).getUint32(34 + 4)).toBe(2);
    expect(a.subarray(50)).not.toEqual(b.subarray(50));
    expect(book.frame(5000).length).toBe(l.frameLen); // across chunks
    expect(v(book.frame(4097)).getUint32(38)).toBe(4097);
  });
});
