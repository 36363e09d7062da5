/**
 * Fault containment for drivers: an exception thrown by a driver's poll or interrupt routine is a driver
 * (or device) bug, but it must not take the whole simulated machine down with it — other interfaces keep
 * working, as a real kernel keeps running after a driver's recoverable error and resets the device
 * (`if_init` after a fatal-error interrupt, Linux's `ndo_tx_timeout` → reset task, iflib's admin task).
 *
 * What happens (the conformance kit of issue 12 tests it on every driver):
 *
 * 1. The exception is caught where the framework called the driver: `PollContext.run` around `ops.poll`,
 *    `Cpu` around an interrupt handler (the line is then masked at the controller, so a level-triggered
 *    cause that was never acknowledged cannot storm).
 * 2. It is counted on the interface: `counters.faults`, and `ifp.lastFault` says where and what.
 * 3. The interface is reset through its own ops: `stop` then `init` (the driver's init brings the
 *    hardware to a known state and refills its rings; stop reclaims every mbuf the hardware held, so no
 *    mbuf is lost), then every idle poll context is unmasked and re-checked, and the device's lines are
 *    unmasked at the controller. Counted in `counters.resets`. From an interrupt the reset runs in a
 *    softnet continuation (init allocates, which interrupt context may not).
 * 4. If the reset itself throws, or the interface faults again within {@link FAULT_HOLDDOWN_NS} of its
 *    last reset, it is marked down instead (`counters.faultDowns`; `ops.stop` tried once more, the send
 *    queue freed, poll contexts disabled) and stays down until someone brings it up.
 *
 * A contract violation that tests rely on seeing (`AllocationInInterruptError` in the guard's `'throw'`
 * mode) is not contained: it propagates as before.
 *
 * @module
 */
import { Continuation } from '../kern/continuation.js';
import { IPL_SOFTNET } from '../kern/ipl.js';
import { AllocationInInterruptError } from '../mbuf/allocation-guard.js';
import type { Ifnet } from './ifnet.js';

/** A fault this soon (ns) after the interface's last reset marks it down instead of resetting again. */
export const FAULT_HOLDDOWN_NS = 1_000_000_000;

/** Errors that are assertions for tests, never contained. */
export function isUncontainable(err: unknown): boolean {
  return err instanceof AllocationInInterruptError;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Counts a contained fault on `ifp` and remembers it (`where`: `wm0.rx0 poll`, `wm0 interrupt`). */
export function recordFault(ifp: Ifnet, where: string, err: unknown): void {
  ifp.counters.faults++;
  ifp.lastFault = `${where}: ${describe(err)}`;
}

/**
 * Resets `ifp` after a contained fault (stop + init + unmask), or marks it down when the reset fails or
 * the last reset was less than {@link FAULT_HOLDDOWN_NS} ago. Runs at softnet or process level, never in
 * interrupt context. Does nothing to an interface that is already down.
 */
export function resetAfterFault(ifp: Ifnet): void {
  if (!ifp.up) return;
  const now = ifp.host.now();
  if (now - ifp.lastFaultReset < FAULT_HOLDDOWN_NS) {
    markDownAfterFault(ifp, 'faulted again within the hold-down after a reset');
    return;
  }
  ifp.lastFaultReset = now;
  try {
    ifp.ops.stop(ifp);
    ifp.ops.init(ifp);
    for (const line of ifp.deviceLines) line.unmask();
    for (const ctx of ifp.pollContexts) {
      ctx.interruptLine?.unmask();
      if (ctx.state !== 'idle') continue;
      ctx.ops.intrEnable(ctx);
      if (ctx.ops.workPending(ctx) && ctx.schedulePrep()) {
        ctx.ops.intrDisable(ctx);
        ctx.schedule();
      }
    }
  } catch (err) {
    if (isUncontainable(err)) throw err;
    markDownAfterFault(ifp, `reset failed: ${describe(err)}`);
    return;
  }
  ifp.counters.resets++;
}

function markDownAfterFault(ifp: Ifnet, why: string): void {
  ifp.counters.faultDowns++;
  ifp.lastFault = `${ifp.lastFault ?? ''} (marked down: ${why})`;
  ifp.forceDown();
}

/** The per-interface continuation that runs {@link resetAfterFault} for a fault taken in an interrupt. */
export function faultResetContinuation(ifp: Ifnet): Continuation<Ifnet> {
  return new Continuation<Ifnet>(`${ifp.name}.fault-reset`, IPL_SOFTNET, resetAfterFault, ifp);
}
