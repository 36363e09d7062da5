/**
 * Seed 002's first scenario: interrupt handling in kernel threads (FreeBSD's ithreads and swi threads,
 * NetBSD's softint threads with interrupt lwps), modelled over ifnet's CPU, which itself runs handlers in
 * the interrupted context and continuations with no thread at all.
 *
 * Each unit of work the CPU runs is assigned to a thread:
 * - a device's hardware interrupt, and for the NIC also its poll continuation (the driver's receive work and
 *   `ether_input`), run in that device's **interrupt thread** (`NIC ithread`, `crypto ithread`);
 * - softnet continuations — `ipintr` draining `ipintrq`, IP → ESP → `crypto_dispatch`, and the crypto
 *   completion (`esp4_input_cb` → UDP → socket) — run in the **softint thread** (`swi_net`);
 * - softclock continuations (callouts) in the clock swi thread; process-level work (the application) and
 *   the idle loop are **user**;
 * - other hardware interrupts (the clock) are taken in whatever context runs, with no switch.
 *
 * Whenever the CPU starts a unit of another thread than the one running, it **switches**: the cost
 * profile's `contextSwitch` layer is charged and counted. A unit that ends with nothing runnable left
 * switches back to user (the seed's "switch back to user"); an interrupt taken inside a unit of another
 * thread (at a preemption point) switches to its ithread and, when it returns, back. So one packet at low
 * load costs exactly the seed's six switches: user → NIC ithread → softint → user, then user → crypto
 * ithread → softint → user (the application, at process level, is user). Under load a thread finds
 * several packets queued when it runs and the switches per packet fall.
 *
 * It is installed as the CPU's {@link KernelTracer} (core's one hook on units of work) and is the one
 * tracer that charges CPU time: that is its purpose.
 *
 * @module
 */
import type { Continuation, Cpu, InterruptSource, KernelTracer, PollContext, PollTraceEvent } from '@ifnet/core';
import { IPL_NONE, IPL_SOFTCLOCK, IPL_SOFTNET } from '@ifnet/core';

/** The threads of the model, by index. */
export const THREAD_NAMES = ['user', 'NIC ithread', 'crypto ithread', 'softint (swi_net)', 'softclock (swi_clock)'];
const USER = 0;
const NIC = 1;
const CRYPTO = 2;
const SWI_NET = 3;
const SWI_CLOCK = 4;
/** An unthreaded hardware interrupt: taken in the current context. */
const SAME = -1;
/** Deepest nesting of units (an interrupt inside a continuation, …). */
const MAX_DEPTH = 16;

/** Name of the cost-profile layer charged per context switch. */
export const CONTEXT_SWITCH_LAYER = 'contextSwitch';

export interface InterruptThreadStats {
  /** Context switches, in total and by destination thread (index as {@link THREAD_NAMES}). */
  switches: number;
  readonly switchesTo: Int32Array;
  /** Nanoseconds charged for switches, by where the CPU accounted them: [interrupt, process, softclock, softnet]. */
  readonly switchNs: Float64Array;
}

export class InterruptThreads implements KernelTracer {
  readonly stats: InterruptThreadStats = {
    switches: 0,
    switchesTo: new Int32Array(THREAD_NAMES.length),
    switchNs: new Float64Array(4),
  };
  /** The thread running now. */
  private current = USER;
  /** Thread of the unit each nesting level interrupted (to switch back when a nested unit returns). */
  private readonly stack = new Int32Array(MAX_DEPTH);
  private depth = 0;
  private readonly layer: number;

  constructor(
    private readonly cpu: Cpu,
    private readonly nicLine: InterruptSource,
    /** The NIC poll context's continuation (`ctx.kc`): its rounds run in the NIC interrupt thread. */
    private readonly nicPoll: Continuation<any>,
    private readonly cryptoLine: InterruptSource,
  ) {
    this.layer = cpu.layerId(CONTEXT_SWITCH_LAYER);
  }

  /** Installs the model on its CPU (replacing any tracer). */
  install(): this {
    this.cpu.tracer = this;
    return this;
  }

  uninstall(): void {
    if (this.cpu.tracer === this) this.cpu.tracer = null;
  }

  private switchTo(t: number): void {
    const cpu = this.cpu;
    // Where the CPU books this charge (as `Cpu.chargeLayerId` does), so reports can move it to "switch".
    const slot = cpu.interruptDepth > 0 ? 0 : cpu.ipl <= IPL_SOFTNET ? 1 + cpu.ipl : -1;
    if (slot >= 0) this.stats.switchNs[slot] += cpu.layers.cost[this.layer];
    cpu.chargeLayerId(this.layer);
    this.stats.switches++;
    this.stats.switchesTo[t]++;
    this.current = t;
  }

  private begin(t: number): void {
    if (this.depth < MAX_DEPTH) this.stack[this.depth] = this.current;
    this.depth++;
    if (t !== SAME && t !== this.current) this.switchTo(t);
  }

  private end(): void {
    this.depth--;
    if (this.depth > 0) {
      // Back to the unit this one interrupted.
      const resumed = this.depth < MAX_DEPTH ? this.stack[this.depth] : this.current;
      if (resumed !== this.current) this.switchTo(resumed);
    } else if (!this.cpu.runnable && this.current !== USER) {
      this.switchTo(USER);
    }
  }

  interruptBegin(_cpu: Cpu, src: InterruptSource): void {
    this.begin(src === this.nicLine ? NIC : src === this.cryptoLine ? CRYPTO : SAME);
  }

  interruptEnd(): void {
    this.end();
  }

  continuationBegin(_cpu: Cpu, kc: Continuation<any>): void {
    let t: number;
    if (kc === this.nicPoll) t = NIC;
    else if (kc.ipl === IPL_SOFTNET) t = SWI_NET;
    else if (kc.ipl === IPL_SOFTCLOCK) t = SWI_CLOCK;
    else t = kc.ipl === IPL_NONE ? USER : SAME;
    this.begin(t);
  }

  continuationEnd(): void {
    this.end();
  }

  pollBegin(_ctx: PollContext, _budget: number): void {}
  pollEnd(_ctx: PollContext, _work: number): void {}
  pollEvent(_ctx: PollContext, _event: PollTraceEvent): void {}
}
