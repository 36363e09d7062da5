/**
 * Wall time spent at each CPU level, measured — what the real clock's CPU shares are made of (there the
 * cost profile is not used, so the CPU's charged tallies say nothing). A {@link KernelTracer} that reads
 * `performance.now()` at the start and end of every interrupt and continuation and adds the time to the
 * level, *exclusive* of nested units (an interrupt taken at a preemption point of a softnet continuation
 * counts as interrupt time, not softnet). Levels: `interrupt` (every hardware level), `softnet`,
 * `softclock`, `process`.
 *
 * Costs two clock reads per unit (an interrupt, or a poll round of up to a budget of packets); not per
 * packet except in models that interrupt per packet.
 *
 * @module
 */
import type { Continuation, Cpu, InterruptSource, KernelTracer, PollContext, PollTraceEvent } from '@ifnet/core';

/** Indices into {@link LevelTimeTracer.ms}. */
const INTERRUPT = 3;
const LEVEL_NAMES = ['process', 'softclock', 'softnet', 'interrupt'] as const;
const MAX_DEPTH = 64;

export class LevelTimeTracer implements KernelTracer {
  /** Milliseconds spent per level: process, softclock, softnet, interrupt. */
  readonly ms = new Float64Array(4);
  private readonly stack = new Int8Array(MAX_DEPTH);
  private depth = 0;
  private since = 0;

  /** `now` gives milliseconds (default `performance.now()`; tests pass their own). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The accumulated times by name (ms). */
  snapshot(): Record<(typeof LEVEL_NAMES)[number], number> {
    return { process: this.ms[0], softclock: this.ms[1], softnet: this.ms[2], interrupt: this.ms[INTERRUPT] };
  }

  private begin(level: number): void {
    const now = this.now();
    if (this.depth > 0) this.ms[this.stack[this.depth - 1]] += now - this.since;
    if (this.depth < MAX_DEPTH) this.stack[this.depth] = level;
    this.depth++;
    this.since = now;
  }

  private end(): void {
    if (this.depth === 0) return; // installed in the middle of a unit
    const now = this.now();
    this.depth--;
    if (this.depth < MAX_DEPTH) this.ms[this.stack[this.depth]] += now - this.since;
    this.since = now;
  }

  interruptBegin(_cpu: Cpu, _src: InterruptSource): void {
    this.begin(INTERRUPT);
  }
  interruptEnd(_cpu: Cpu, _src: InterruptSource): void {
    this.end();
  }
  continuationBegin(_cpu: Cpu, kc: Continuation<any>): void {
    this.begin(kc.ipl);
  }
  continuationEnd(_cpu: Cpu, _kc: Continuation<any>): void {
    this.end();
  }
  pollBegin(_ctx: PollContext, _budget: number): void {}
  pollEnd(_ctx: PollContext, _work: number): void {}
  pollEvent(_ctx: PollContext, _event: PollTraceEvent): void {}
}

/** One tracer that forwards every call to each of `tracers` in turn (a measured window that is also traced). */
export function teeTracer(...tracers: KernelTracer[]): KernelTracer {
  return {
    interruptBegin: (cpu, src) => {
      for (const t of tracers) t.interruptBegin(cpu, src);
    },
    interruptEnd: (cpu, src) => {
      for (const t of tracers) t.interruptEnd(cpu, src);
    },
    continuationBegin: (cpu, kc) => {
      for (const t of tracers) t.continuationBegin(cpu, kc);
    },
    continuationEnd: (cpu, kc) => {
      for (const t of tracers) t.continuationEnd(cpu, kc);
    },
    pollBegin: (ctx, budget) => {
      for (const t of tracers) t.pollBegin(ctx, budget);
    },
    pollEnd: (ctx, work) => {
      for (const t of tracers) t.pollEnd(ctx, work);
    },
    pollEvent: (ctx, event) => {
      for (const t of tracers) t.pollEvent(ctx, event);
    },
  };
}
