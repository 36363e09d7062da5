/**
 * What the kit watches while a driver runs — all of it through the framework's own objects, none through
 * the driver's internals:
 *
 * - each interrupt line's handler is wrapped: claimed or not, whether a poll context was deferred, bus
 *   accesses made, and whether the device interrupted while its poll round should have kept it masked;
 * - each poll context's `poll` is wrapped: packets handed up per poll against the budget, exceptions;
 * - the interface's input hook: packets reaching `if_input` (and whether in interrupt context);
 * - the device model is plugged in behind a proxy: any use of it other than by the host's bus is recorded.
 *
 * @module
 */
import type { BusSpace, DeviceModel, Host, Ifnet, InterruptSource, PollContext, PollOps } from '@ifnet/core';
import { INPUT_PASS } from '@ifnet/core';

/** How the probe's injected exceptions start (they are not held against the driver). */
export const INJECTED = 'testkit: exception injected';

/**
 * What the host reads from a device model after plugging it in (autoconfiguration matches `ident`;
 * diagnostics name the `model`). Everything else the bus takes at plug-in time (`bars`, `connect`, ...).
 */
const AFTER_PLUG_IN = new Set<PropertyKey>(['model', 'ident']);

export class Observer {
  intrRuns = 0;
  intrClaimed = 0;
  intrUnclaimed = 0;
  claimedWithoutDefer = 0;
  /** Interrupts taken while a masked (DMA) round of a context of that line was scheduled or running. */
  intrWhileMasked = 0;
  maxBusAccessesInIntr = 0;
  inputsInInterrupt = 0;
  /** Packets that reached `if_input`, per interface name. */
  readonly inputs = new Map<string, number>();
  readonly pollExceptions: unknown[] = [];
  /** Exceptions thrown by interrupt routines (the framework contains them too). */
  readonly intrExceptions: unknown[] = [];
  readonly budgetViolations: string[] = [];
  readonly modelTouches = new Set<string>();
  /** Line name → indices of the poll contexts its interrupts deferred. */
  readonly lineContexts = new Map<string, Set<string>>();
  /** Poll context name → lines that deferred it. */
  readonly contextLines = new Map<string, Set<string>>();
  private readonly maskedRounds = new Set<PollContext>();
  private currentPoll: PollContext | undefined;
  private inputsThisPoll = 0;

  /**
   * The device as the host sees it: a proxy that, once {@link armModel} is called (after the host's bus
   * plugged it in), records any property use other than the identity autoconfiguration reads.
   */
  watchModel<T extends DeviceModel>(dev: T): { proxy: T; arm: () => void } {
    let armed = false;
    const proxy = new Proxy(dev, {
      get: (target, prop) => {
        const v = Reflect.get(target, prop, target);
        if (armed && !AFTER_PLUG_IN.has(prop) && typeof prop === 'string') this.modelTouches.add(prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
      set: (target, prop, value) => {
        if (armed && typeof prop === 'string') this.modelTouches.add(`${prop} (written)`);
        return Reflect.set(target, prop, value, target);
      },
    });
    return {
      proxy,
      arm: () => {
        armed = true;
      },
    };
  }

  /** Wraps the handlers of `lines` (after the driver established them) and the polls of `ifp`. */
  instrument(host: Host, ifp: Ifnet, lines: readonly InterruptSource[], bars: readonly BusSpace[]): void {
    for (const line of lines) this.wrapHandler(ifp, line, bars);
    for (const ctx of ifp.pollContexts) this.wrapContext(ctx);
    ifp.inputHook = (i) => {
      this.inputs.set(i.name, (this.inputs.get(i.name) ?? 0) + 1);
      if (host.guard.depth > 0) this.inputsInInterrupt++;
      if (this.currentPoll !== undefined) this.inputsThisPoll++;
      return INPUT_PASS;
    };
  }

  private wrapHandler(ifp: Ifnet, line: InterruptSource, bars: readonly BusSpace[]): void {
    const orig = line.handler;
    if (orig === undefined) return;
    const contexts = ifp.pollContexts;
    const before = new Array<number>(contexts.length).fill(0);
    line.handler = (arg: unknown): boolean => {
      this.intrRuns++;
      const mine = this.lineContexts.get(line.name);
      for (const ctx of this.maskedRounds) {
        if (ctx.state === 'idle' || ctx.state === 'disabled') this.maskedRounds.delete(ctx);
        else if (mine?.has(ctx.name)) this.intrWhileMasked++;
      }
      for (let i = 0; i < contexts.length; i++) before[i] = contexts[i].stats.interrupts;
      let accesses = 0;
      for (const b of bars) accesses -= b.stats.reads + b.stats.writes;
      let claimed: boolean;
      try {
        claimed = orig(arg);
      } catch (e) {
        this.intrExceptions.push(e);
        throw e;
      }
      for (const b of bars) accesses += b.stats.reads + b.stats.writes;
      if (accesses > this.maxBusAccessesInIntr) this.maxBusAccessesInIntr = accesses;
      let deferred = false;
      for (let i = 0; i < contexts.length; i++) {
        const ctx = contexts[i];
        if (ctx.stats.interrupts === before[i]) continue;
        deferred = true;
        this.link(line.name, ctx.name);
        if (ctx.maskOnDefer && ctx.state === 'scheduled') this.maskedRounds.add(ctx);
      }
      if (claimed) {
        this.intrClaimed++;
        if (!deferred) this.claimedWithoutDefer++;
      } else this.intrUnclaimed++;
      return claimed;
    };
  }

  private link(line: string, ctx: string): void {
    addTo(this.lineContexts, line, ctx);
    addTo(this.contextLines, ctx, line);
  }

  private wrapContext(ctx: PollContext): void {
    const orig = ctx.ops;
    const wrapped: PollOps = {
      poll: (c, budget) => {
        const outer = this.currentPoll;
        const outerInputs = this.inputsThisPoll;
        this.currentPoll = c;
        this.inputsThisPoll = 0;
        try {
          const work = orig.poll(c, budget);
          if (this.inputsThisPoll > budget || work > budget) {
            this.budgetViolations.push(
              `${c.name}: handed up ${this.inputsThisPoll} packets and reported ${work} in one poll with a budget of ${budget}`,
            );
          }
          return work;
        } catch (e) {
          this.pollExceptions.push(e);
          throw e;
        } finally {
          this.currentPoll = outer;
          this.inputsThisPoll = outerInputs;
        }
      },
      intrEnable: (c) => orig.intrEnable(c),
      intrDisable: (c) => orig.intrDisable(c),
      workPending: (c) => orig.workPending(c),
    };
    // A driver that maps coalescing onto its hardware keeps doing so under the kit (without it the
    // kernel would emulate it, and the kit would test the emulation instead of the driver).
    if (orig.setCoalescing !== undefined) {
      wrapped.setCoalescing = (c, rxUsecs, rxFrames) => orig.setCoalescing?.(c, rxUsecs, rxFrames);
    }
    (ctx as unknown as { ops: PollOps }).ops = wrapped;
  }

  /** Exceptions thrown in polls that the kit did not inject. */
  get unexpectedExceptions(): unknown[] {
    return this.pollExceptions.filter((e) => !(e instanceof Error && e.message.startsWith(INJECTED)));
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}
