import type { PollContext } from '../net/poll-context.js';
import type { Continuation } from './continuation.js';
import type { Cpu } from './cpu.js';
import type { InterruptSource } from './interrupt-controller.js';

/**
 * What a poll context reports to a {@link KernelTracer} besides its polls:
 * - `defer`: an interrupt reached `<iftype>_defer` (the context masks and schedules, or a round is on);
 * - `tick-deferral`: the round stayed masked and went to the next clock tick (seed 000's rule 5);
 * - `unmask`: the round completed and the interrupt was re-enabled (`napi_complete_done`);
 * - `race-recheck`: work seen right after the unmask, masked again and rescheduled;
 * - `hold-park`: an input hold (socket feedback) parked the round without polling;
 * - `max-work`: in interrupt-work mode, an interrupt used its whole `maxWork` with work left (it re-raises
 *   the interrupt or masks for the timer; the timer's unmask reports `unmask`);
 * - `coalesce-deferral`: a completed round stayed masked for an emulated `rx-usecs` re-poll.
 */
export type PollTraceEvent =
  | 'defer'
  | 'tick-deferral'
  | 'unmask'
  | 'race-recheck'
  | 'hold-park'
  | 'max-work'
  /** A completed round stayed masked for an emulated `rx-usecs` re-poll (`coalesce.ts`). */
  | 'coalesce-deferral';

/**
 * An optional observer of a CPU's units of work and of its poll contexts (what `perf trace` or ftrace's
 * `irq:irq_handler_entry` / `napi:napi_poll` tracepoints see in Linux), for timelines such as the lab's
 * Perfetto traces. Install it with `cpu.tracer = t`; set it back to `null` to stop.
 *
 * With no tracer installed (the default) the CPU and the poll contexts only test one field per interrupt,
 * continuation and poll: nothing is allocated or read. A tracer runs inside kernel units and must not
 * charge CPU time, schedule work or throw; it reads the time itself (`cpu.now()` on the virtual clock).
 * One exception to "no charge": a lab model that prices something the kernel does not have — `@ifnet/lab`'s
 * interrupt-thread model (`InterruptThreads`) charges a context switch when a unit begins in another
 * thread than the one running (seed 002's first scenario). A plain tracer never does.
 *
 * Calls nest as the work does: an interrupt taken at a preemption point begins and ends inside the
 * continuation it pre-empted; `pollBegin`/`pollEnd` come inside the poll context's continuation.
 */
export interface KernelTracer {
  /** An interrupt is about to be taken, before its entry cost is charged. */
  interruptBegin(cpu: Cpu, src: InterruptSource): void;
  /** The interrupt returned, after its exit cost was charged. */
  interruptEnd(cpu: Cpu, src: InterruptSource): void;
  /** A continuation is about to run, before its dispatch cost is charged. */
  continuationBegin(cpu: Cpu, kc: Continuation<any>): void;
  /** The continuation returned (or threw). */
  continuationEnd(cpu: Cpu, kc: Continuation<any>): void;
  /** A poll context calls its driver's poll with `budget`. */
  pollBegin(ctx: PollContext, budget: number): void;
  /** The driver's poll returned `work` packets (0 when it threw). */
  pollEnd(ctx: PollContext, work: number): void;
  /** Something else happened to a poll context's round ({@link PollTraceEvent}). */
  pollEvent(ctx: PollContext, event: PollTraceEvent): void;
}
