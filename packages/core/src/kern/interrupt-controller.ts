import type { InterruptLine } from '../bus/interrupt-line.js';
import { type HardIpl, IPL_NAMES } from './ipl.js';

/**
 * An interrupt handler (NetBSD `intr_establish`'s function). Returns true when the interrupt was for it
 * and it did something ("claimed"), false when it found nothing to do: a *spurious* interrupt, counted.
 */
export type InterruptHandler<T = unknown> = (arg: T) => boolean;

/** Counters of one interrupt source, as `vmstat -i` would show them. */
export interface InterruptSourceStats {
  /** Times the handler ran. */
  taken: number;
  /** Times the handler claimed nothing. */
  spurious: number;
  /** Times the line was asserted by the device (rising edges). */
  asserts: number;
  /** Times the source was disabled because its handler kept claiming nothing (an unhandled storm). */
  stormDisables: number;
  /** Times the handler threw (contained by the CPU: the source is masked and `Cpu.onInterruptFault` told). */
  faults: number;
}

/**
 * One interrupt source: both the wire the device drives ({@link InterruptLine}) and the kernel's view of
 * it (mask, handler, IPL). Lines are level-triggered: the CPU keeps taking the interrupt while it stays
 * asserted and unmasked, so a handler must acknowledge the device (or mask) before returning.
 */
export class InterruptSource implements InterruptLine {
  asserted = false;
  /** Masked at the controller (`disable_irq`). Devices usually also have their own mask register. */
  masked = false;
  handler: InterruptHandler<any> | undefined = undefined;
  handlerArg: unknown = undefined;
  ipl: HardIpl | 0 = 0;
  handlerName = '';
  /** Internal to the controller: counted in its pending total. */
  listedPending = false;
  /** Consecutive unclaimed runs, for storm detection. */
  unclaimedRun = 0;
  readonly stats: InterruptSourceStats = { taken: 0, spurious: 0, asserts: 0, stormDisables: 0, faults: 0 };

  constructor(
    readonly name: string,
    readonly index: number,
    private readonly controller: InterruptController,
  ) {}

  /** True when the CPU should take this interrupt (given a low enough IPL). */
  get pending(): boolean {
    return this.asserted && !this.masked && this.handler !== undefined;
  }

  assert(): void {
    if (this.asserted) return;
    this.asserted = true;
    this.stats.asserts++;
    this.controller.changed(this);
  }

  deassert(): void {
    if (!this.asserted) return;
    this.asserted = false;
    this.controller.changed(this);
  }

  /** Masks the source at the controller. */
  mask(): void {
    if (this.masked) return;
    this.masked = true;
    this.controller.changed(this);
  }

  /** Unmasks the source at the controller; a still-asserted line becomes pending again. */
  unmask(): void {
    if (!this.masked) return;
    this.masked = false;
    this.unclaimedRun = 0;
    this.controller.changed(this);
  }
}

/** A handler that claims nothing this many times in a row gets its source masked (Linux's "nobody cared"). */
export const STORM_THRESHOLD = 10_000;

/**
 * The interrupt controller of one CPU: it owns the sources, knows which are pending, and picks the one
 * the CPU takes next (highest IPL above the CPU's level; lowest index among equals, for determinism).
 * It never runs a handler itself: the {@link Cpu} does, at preemption points.
 */
export class InterruptController {
  readonly sources: InterruptSource[] = [];
  /** Number of pending sources (asserted, unmasked, established): a cheap "anything to do?" check. */
  private pendingCount = 0;
  /** Interrupts asserted on a line that has no handler yet ("stray interrupts"). */
  stray = 0;
  /** Called when a source becomes pending, so a sleeping runner can wake its CPU. */
  onPending: (() => void) | undefined = undefined;

  /** Creates a new line (a device's INTx pin or one MSI-X vector). */
  createLine(name: string): InterruptSource {
    const src = new InterruptSource(name, this.sources.length, this);
    this.sources.push(src);
    return src;
  }

  /**
   * `intr_establish`: attaches a handler at an IPL to a line. One handler per line (no shared lines in
   * this model). Throws if the line already has one: a driver bug.
   */
  establish<T>(line: InterruptSource, ipl: HardIpl, handler: InterruptHandler<T>, arg: T, name: string): void {
    if (line.handler !== undefined) {
      throw new Error(`interrupt line ${line.name} already has handler ${line.handlerName}`);
    }
    line.handler = handler;
    line.handlerArg = arg;
    line.ipl = ipl;
    line.handlerName = name;
    this.changed(line);
  }

  /** `intr_disestablish`. */
  disestablish(line: InterruptSource): void {
    line.handler = undefined;
    line.handlerArg = undefined;
    line.ipl = 0;
    this.changed(line);
  }

  /** Whether any source is pending at all. */
  get anyPending(): boolean {
    return this.pendingCount > 0;
  }

  /** The source to take next when the CPU runs at `cpuIpl`, or undefined. */
  next(cpuIpl: number): InterruptSource | undefined {
    if (this.pendingCount === 0) return undefined;
    let best: InterruptSource | undefined;
    const sources = this.sources;
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      if (!s.listedPending || s.ipl <= cpuIpl) continue;
      if (best === undefined || s.ipl > best.ipl || (s.ipl === best.ipl && s.index < best.index)) best = s;
    }
    return best;
  }

  /** Internal: a source's level, mask or handler changed. */
  changed(src: InterruptSource): void {
    if (src.asserted && src.handler === undefined && !src.masked) this.stray++;
    const isPending = src.pending;
    const was = src.listedPending;
    if (isPending && !was) {
      src.listedPending = true;
      this.pendingCount++;
      this.onPending?.();
    } else if (!isPending && was) {
      src.listedPending = false;
      this.pendingCount--;
    }
  }

  /** A `vmstat -i`-like snapshot. */
  snapshot(): Record<string, InterruptSourceStats & { ipl: string; masked: boolean }> {
    const out: Record<string, InterruptSourceStats & { ipl: string; masked: boolean }> = {};
    for (const s of this.sources) out[s.name] = { ...s.stats, ipl: IPL_NAMES[s.ipl], masked: s.masked };
    return out;
  }
}
