/**
 * The card's interrupt routine allocates nothing: V8's young-generation counter read around the driver's
 * interrupt routine, and around the routine plus the completion continuations it schedules, over many
 * completions on the virtual clock.
 *
 * The card's own operation (the device model running AES-GCM through `@noble/ciphers`, which returns fresh
 * arrays) allocates, and it happens at the card's operation time — hardware, not the driver. So each round
 * has two phases: (A) requests are submitted and the card performs them with its interrupt line masked at
 * the controller (not measured); (B) the line is unmasked, the CPU takes the interrupt, the driver drains
 * the completion ring and `crypto_done` schedules one continuation per request, which run (measured).
 *
 * Phase B runs the CPU's units directly (`cpu.runUnit()`: the interrupt, then each continuation), without
 * the simulation loop around them: that loop's per-unit clock comparisons box doubles when V8 does not
 * inline them (13–32 B per unit, core's, noted in core's `interrupt-work-heap.test.ts`), and
 * `runUntilIdle(limit = 60 s)` boxes its default bound.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEFAULT_COST_PROFILE, type InterruptSource } from '@ifnet/core';
import type { CryptoRequest } from '@ifnet/crypto';
import { describe, expect, it } from 'vitest';
import { CardRig } from './rig.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const WARMUP = 2000;
const ROUNDS = 5000;

function youngUsed(): number {
  return v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
}

function median(a: Float64Array, n: number): number {
  return n === 0 ? 0 : a.subarray(0, n).sort()[n >> 1];
}

describe('cc: the interrupt routine and the completion continuations allocate nothing', () => {
  it.each([1, 4, 16])(
    'queue depth %i: 5,000 interrupts, requests of 64 distinct buffers (as ESP jobs)',
    async (depth) => {
      const rig = new CardRig({ queueDepth: depth });
      rig.host.cpu.costs = DEFAULT_COST_PROFILE; // interrupt entry, register reads and continuations cost time
      const line = rig.host.devices[0].attachArgs.irqs[0] as InterruptSource;
      // 64 requests with their own buffers, as ESP's job slots are; the continuation only counts.
      const ran = new Int32Array(1);
      const reqs: CryptoRequest<number>[] = [];
      for (let i = 0; i < 64; i++) {
        const r = rig.request(i, 64 + 16 * (i & 7));
        (r.done as { fn: (r: CryptoRequest<number>) => void }).fn = () => {
          ran[0]++;
        };
        reqs.push(r);
      }
      // The driver's routine alone: a reading before and after the established handler.
      const handler = line.handler!;
      let probing = false;
      const handlerBytes = new Float64Array(ROUNDS);
      let handlerCalls = 0;
      let cost = Number.POSITIVE_INFINITY;
      (line as unknown as { handler: (a: unknown) => boolean }).handler = (a: unknown) => {
        if (!probing) return handler(a);
        const x = youngUsed();
        const claimed = handler(a);
        if (handlerCalls < ROUNDS) handlerBytes[handlerCalls++] = youngUsed() - x - cost;
        return claimed;
      };
      let next = 0;
      const submitAndPerform = (): void => {
        line.mask();
        for (let k = 0; k < depth; k++) {
          rig.fw.dispatch(reqs[next]);
          next = (next + 1) & 63;
        }
        rig.sim.runUntilIdle(); // phase A: the card performs them; its interrupt waits at the controller
      };
      const cpu = rig.host.cpu;
      const complete = (): void => {
        line.unmask(); // phase B: interrupt → cc intr → crypto_done × depth → continuations
        while (cpu.runUnit()) {}
      };
      for (let i = 0; i < WARMUP; i++) {
        submitAndPerform();
        complete();
        youngUsed(); // the probe warms up too (its first readings cost more)
      }
      expect(ran[0]).toBe(WARMUP * depth);

      let scavenges = 0;
      const obs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)
            scavenges++;
        }
      });
      gc();
      obs.observe({ entryTypes: ['gc'] });
      const roundBytes = new Float64Array(ROUNDS);
      let counted = 0;
      const interrupts0 = rig.drv.stats.interrupts;
      for (let i = 0; i < ROUNDS; i++) {
        submitAndPerform();
        // Two readings back to back give what one reading allocates (the least over the run is its cost).
        const a0 = youngUsed();
        const a = youngUsed();
        complete();
        const b = youngUsed();
        if (b >= a && a >= a0) {
          if (a - a0 < cost) cost = a - a0;
          roundBytes[counted++] = b - a; // else a scavenge emptied the young generation
        }
      }
      await new Promise((r) => setImmediate(r));
      obs.disconnect();
      const interrupts = rig.drv.stats.interrupts - interrupts0;
      probing = true;
      for (let i = 0; i < ROUNDS / 5; i++) {
        submitAndPerform();
        complete();
      }
      probing = false;
      for (let i = 0; i < counted; i++) roundBytes[i] -= cost;
      const perInterrupt = median(roundBytes, counted);
      const perHandler = median(handlerBytes, handlerCalls);
      const mean = roundBytes.subarray(0, counted).reduce((x, y) => x + Math.max(0, y), 0) / counted;
      console.log(
        `cc interrupt heap, depth ${depth}: ${interrupts} interrupts (${interrupts * depth} completions): ` +
          `median ${perInterrupt} B per interrupt + its continuations (mean ${mean.toFixed(2)}) over ${counted} ` +
          `rounds; the routine alone median ${perHandler} B over ${handlerCalls} calls (reading cost ${cost} B ` +
          `subtracted); ${scavenges} scavenges`,
      );
      expect(interrupts).toBe(ROUNDS); // one interrupt per round: each drains `depth` completions
      expect(ran[0]).toBe((WARMUP + ROUNDS + ROUNDS / 5) * depth);
      expect(handlerCalls).toBe(ROUNDS / 5);
      expect(counted).toBeGreaterThan(ROUNDS / 2);
      // Medians: a reading itself now and then allocates more than its calibrated cost (noise on the mean).
      // An object per interrupt is ≥ 16 B, a DataView per completion (what copyBytes' shared cache made
      // when 64 request buffers rotated) about 90 B, so ≤ 0 means none on a typical interrupt.
      expect(perInterrupt).toBeLessThanOrEqual(0);
      expect(perHandler).toBeLessThanOrEqual(0);
      // The mean also carries the probe's own noise (a reading now and then costs more than its least).
      // Bounded so that a per-completion object (≥ 16 B × depth) or a DataView (≈ 90 B) would fail.
      expect(mean).toBeLessThan(16);
    },
  );
});
