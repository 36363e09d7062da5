import { describe, expect, it } from 'vitest';
import { MODEL_NAMES, interruptModel, percentile, runPoint, sweep } from '../src/index.js';

const LOW = 10_000;
const OVER = 1_488_095; // 1 Gb/s line rate of 60-byte frames: about 6x the default profile's capacity

describe('the livelock sweep (virtual clock, default cost profile)', () => {
  const report = sweep({ models: [...MODEL_NAMES], rates: [LOW, 200_000, 350_000, OVER], windowMs: 20 });
  const at = (model: string, rate: number) => {
    const p = report.models[model].find((r) => r.offered_pps === rate);
    if (!p) throw new Error(`no point ${model}@${rate}`);
    return p;
  };

  it('accounts for every offered frame in every run', () => {
    for (const rows of Object.values(report.models)) for (const p of rows) expect(p.accounted).toBe(true);
  });

  it('CPU shares are over the CPU’s own window: they sum to at most 1 in every run', () => {
    for (const rows of Object.values(report.models))
      for (const p of rows) {
        const { idle, ...busy } = p.cpu;
        expect(Object.values(busy).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(1 + 1e-9);
        expect(idle).toBeGreaterThanOrEqual(0);
      }
  });

  it('delivers everything at low load, each model with its own interrupt behaviour', () => {
    for (const m of MODEL_NAMES) expect(at(m, LOW).delivered_pps).toBe(LOW);
    expect(at('napi', LOW).interrupts_per_s).toBe(LOW); // one interrupt per frame
    expect(at('napi', LOW).latency_p50_us).toBeLessThan(20);
    expect(at('timer', LOW).interrupts_per_s).toBeLessThanOrEqual(8000); // ITR spaces them
    expect(at('continuation', LOW).interrupts_per_s).toBe(0); // seed 000's rate threshold: polled on the tick
    expect(at('continuation', LOW).tick_polls_per_s).toBeGreaterThan(900);
  });

  it('without feedback from the socket, every model livelocks: the CPU works on datagrams that die at the full socket', () => {
    for (const m of ['timer', 'napi', 'continuation-no-feedback']) {
      const peak = Math.max(...report.models[m].map((p) => p.delivered_pps));
      const over = at(m, OVER);
      // 0.2, not 0.15: with the application preemptible per datagram, continuation-no-feedback's own peak
      // fell (159,244/s at 200,000/s in 20 ms windows), so its 25,196/s at overload is 15.8 % of it.
      expect(over.delivered_pps).toBeLessThan(0.2 * peak);
      expect(over.drops['udp.fullsock']).toBeGreaterThan(100_000);
      expect(over.cpu.softnet).toBeGreaterThan(0.9);
    }
  });

  it('with the feedback, continuation holds its peak under overload: the NIC drops the excess, not the socket', () => {
    const rows = report.models.continuation;
    const peak = Math.max(...rows.map((p) => p.delivered_pps));
    const over = at('continuation', OVER);
    // Issue 14's target: ≥ 95 % of peak at 10x overload (measured 100 %: the hold stops the running poll).
    expect(over.delivered_pps).toBeGreaterThanOrEqual(0.95 * peak);
    expect(over.drops['nic.missed']).toBeGreaterThan(0);
    // Nothing is processed only to die at the full socket: the datagram that fills it stops the poll.
    expect(over.drops['udp.fullsock'] ?? 0).toBe(0);
    expect(over.delivered_pps).toBeGreaterThan(5 * at('continuation-no-feedback', OVER).delivered_pps);
  });

  it('adaptive: an interrupt per frame at low load, moderated near 350,000/s, holding under overload', () => {
    const low = at('adaptive', LOW);
    expect(low.interrupts_per_s).toBe(LOW); // lowest_latency: ITR 14 µs never holds a frame 100 µs apart
    // Issue 14's target: at low load, adaptive's median latency within 2x of legacy's (5.65 vs 5.75 µs).
    expect(at('legacy', LOW).latency_p50_us).toBeGreaterThan(0);
    expect(low.latency_p50_us).toBeLessThanOrEqual(2 * at('legacy', LOW).latency_p50_us);
    const mid = at('adaptive', 350_000);
    expect(mid.packets_per_interrupt).toBeGreaterThanOrEqual(14); // seed 002: 350 kpps at 25 k interrupts/s
    expect(mid.interrupts_per_s).toBeLessThanOrEqual(8000); // bulk_latency: ITR 125 µs
    expect(mid.delivered_pps).toBeGreaterThan(at('napi', 350_000).delivered_pps);
    // Under overload the poll never completes a round, so no model's interrupt rule matters any more: the
    // socket feedback holds delivery where continuation's is.
    const peak = Math.max(...report.models.adaptive.map((p) => p.delivered_pps));
    expect(at('adaptive', OVER).delivered_pps).toBeGreaterThanOrEqual(0.95 * peak);
    expect(at('adaptive', OVER).delivered_pps).toBeGreaterThanOrEqual(0.99 * at('continuation', OVER).delivered_pps);
  });

  it('is deterministic for a seed', () => {
    expect(runPoint(interruptModel('napi'), 200_000, { windowMs: 20 })).toEqual(at('napi', 200_000));
  });

  it('rejects an unknown model by name', () => {
    expect(() => sweep({ models: ['napi', 'nope'] })).toThrow(/unknown model 'nope'/);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const s = Float64Array.from([5, 1, 4, 2, 3]);
    expect(percentile(s, 5, 50)).toBe(3);
    expect(percentile(s, 5, 99)).toBe(5);
    expect(percentile(s, 0, 50)).toBe(0);
  });
});
