import { describe, expect, it } from 'vitest';
import {
  MAX_INTERRUPT_WORK,
  MODEL_NAMES,
  TraceRecorder,
  checkChromeTrace,
  interruptModel,
  runPoint,
  sweep,
} from '../src/index.js';

const LOW = 10_000;
const TEN_X = 2_500_000; // over 10x what any model delivers with the default cost profile

/**
 * The classic receive structure of seed 004 and Mogul & Ramakrishnan: the top half at interrupt level feeds
 * ipintrq, the bottom half (a soft interrupt) runs the protocols and is preempted by every interrupt.
 */
describe('legacy and batch: the classic receive livelock (virtual clock, default cost profile)', () => {
  const report = sweep({ models: ['legacy', 'batch'], rates: [LOW, 100_000, 150_000, 200_000, TEN_X], windowMs: 20 });
  const rows = (model: string) => report.models[model];
  const at = (model: string, rate: number) => rows(model).find((r) => r.offered_pps === rate)!;
  const peak = (model: string) => Math.max(...rows(model).map((p) => p.delivered_pps));

  it('accounts for every offered frame and every mbuf', () => {
    for (const m of ['legacy', 'batch']) {
      for (const p of rows(m)) {
        expect(p.accounted).toBe(true);
        expect(p.mbufs_balanced).toBe(true);
      }
    }
  });

  it('at low load takes an interrupt per frame, copies in the top half (counted) and delivers everything', () => {
    for (const m of ['legacy', 'batch']) {
      const p = at(m, LOW);
      expect(p.delivered_pps).toBe(LOW);
      expect(p.interrupts_per_s).toBe(LOW);
      expect(p.packets_per_interrupt).toBe(1);
      expect(p.latency_p50_us).toBeLessThan(20);
      // The copy, in interrupt context, for every frame; the ring refill too unless the driver recycles
      // the receive buffer the copy freed (a receive buffer cache).
      expect(p.interrupt_allocs_per_s).toBeGreaterThanOrEqual(LOW);
      expect(p.interrupt_allocs_per_s).toBeLessThanOrEqual(2 * LOW);
    }
  });

  it('legacy collapses below 10 % of its peak at 10x overload: the CPU takes interrupts and drops at ipintrq', () => {
    const p = at('legacy', TEN_X);
    expect(p.delivered_pps).toBeLessThan(0.1 * peak('legacy'));
    expect(p.packets_per_interrupt).toBe(1);
    expect(p.cpu.interrupt).toBeGreaterThan(0.9);
    expect(p.cpu.softnet).toBeLessThan(0.05);
    expect(p.drops['ipintrq.full']).toBeGreaterThan(100_000); // dropped after the CPU copied them
    expect(p.ipintrq_high_water).toBe(50);
  });

  it('batch does better than legacy under overload but still collapses: max_interrupt_work, then the timer', () => {
    const p = at('batch', TEN_X);
    expect(p.delivered_pps).toBeGreaterThan(at('legacy', TEN_X).delivered_pps);
    expect(p.delivered_pps).toBeLessThan(0.25 * peak('batch'));
    expect(p.packets_per_interrupt).toBe(MAX_INTERRUPT_WORK);
    expect(p.interrupts_per_s).toBe(1000); // one interrupt per clock tick (hz 1000): the timer re-enables it
    expect(p.drops['nic.missed']).toBeGreaterThan(0.9 * TEN_X); // the rest overflows the ring meanwhile
  });

  it('only the classic models allocate in interrupt context', () => {
    const others = sweep({
      models: MODEL_NAMES.filter((m) => m !== 'legacy' && m !== 'batch'),
      rates: [100_000],
      windowMs: 5,
    });
    for (const rows of Object.values(others.models)) {
      expect(rows[0].interrupt_allocs_per_s).toBe(0);
      expect(rows[0].ipintrq_high_water).toBeUndefined();
    }
  });

  it('shows in a trace: legacy polls in the interrupt (budget 1), batch hits max_interrupt_work and waits for the tick', () => {
    const trace = (model: string) => {
      const recorder = new TraceRecorder({ host: 'dut' });
      runPoint(interruptModel(model), TEN_X, { windowMs: 5, trace: { recorder, durationMs: 3 } });
      const t = recorder.finish();
      expect(checkChromeTrace(JSON.parse(JSON.stringify(t)))).toEqual([]);
      return t.traceEvents;
    };
    const legacy = trace('legacy');
    const polls = legacy.filter((e) => e.name === 'poll' && e.ph === 'B');
    expect(polls.length).toBeGreaterThan(100);
    expect(polls.every((e) => e.args?.budget === 1)).toBe(true);
    expect(legacy.filter((e) => e.name === 'max-work').length).toBeGreaterThan(100); // re-raised through ICS
    const batch = trace('batch');
    const hits = batch.filter((e) => e.name === 'max-work').length;
    expect(hits).toBeGreaterThanOrEqual(2); // one per 1 ms tick of the 3 ms traced
    expect(hits).toBeLessThanOrEqual(4);
    expect(batch.filter((e) => e.name === 'unmask').length).toBeGreaterThanOrEqual(hits - 1);
  });
});
