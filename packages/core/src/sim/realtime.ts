import type { Cpu } from '../kern/cpu.js';
import { RealClock } from '../kern/real-clock.js';
import type { Runner } from './runner.js';

type Defer = (fn: () => void) => void;

/** `setImmediate` where it exists (Node), else a MessageChannel hop (browsers): a macrotask, so I/O still runs. */
const defaultDefer: Defer = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return (fn) => void g.setImmediate!(fn);
  if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const queue: (() => void)[] = [];
    ch.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      ch.port2.postMessage(0);
    };
  }
  return (fn) => void setTimeout(fn, 0);
})();

/**
 * Rounds of units after which the real-time runner reads the clock itself if nobody else did meanwhile.
 * Every round it checks the latest reading anyone took (the CPUs read the clock about once per burst of
 * work while a timer is armed), which costs nothing.
 */
const CLOCK_ROUNDS = 16;

/**
 * The real-time runner: CPUs run on Node's (or a browser's) event loop against a {@link RealClock}.
 *
 * When any CPU has work, a macrotask runs units round-robin for at most `sliceMs` of wall time, then
 * yields to the event loop so real I/O (a UDP tunnel socket, a worker's messages) keeps flowing. When all
 * CPUs are idle nothing runs until a timer fires or a device asserts a line.
 */
export class RealTimeRunner implements Runner {
  readonly clock: RealClock;
  readonly cpus: Cpu[] = [];
  private scheduled = false;
  private stopped = false;
  units = 0;

  /** Longest stretch of wall time (ms) CPUs run before yielding to the event loop. */
  private readonly sliceMs: number;
  private readonly defer: Defer;

  constructor(options: { clock?: RealClock; sliceMs?: number; defer?: Defer } = {}) {
    this.sliceMs = options.sliceMs ?? 5;
    this.defer = options.defer ?? defaultDefer;
    this.clock = options.clock ?? new RealClock();
    this.clock.onFired = () => this.kick();
  }

  addCpu(cpu: Cpu): void {
    if (cpu.clock !== this.clock) throw new Error(`cpu ${cpu.name} was built on another clock`);
    this.cpus.push(cpu);
    cpu.onWake = () => this.kick();
    this.kick();
  }

  /** The slice as a function made once, so scheduling one allocates no closure. */
  private readonly sliceFn = (): void => this.slice();

  /** Makes sure a run slice is scheduled. Cheap to call often. */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.defer(this.sliceFn);
  }

  /** Stops running CPUs and the clock's event-loop wakeup (so a process can exit). */
  stop(): void {
    this.stopped = true;
    this.clock.stop();
  }

  private slice(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const clock = this.clock;
    // The reading from the field, not as a return value: a double returned by a call V8 did not inline is
    // one more heap number.
    clock.readAndAdvance();
    const end = clock.lastReading + this.sliceMs * 1e6;
    let more = true;
    let rounds = 0;
    let reads = clock.reads;
    // The clock is read (due timers fire, the slice's end is checked) every few rounds of units, not every
    // round: each read costs a heap number on Node 20. CPUs fire timers at their own preemption points and
    // register accesses in between; a reading one of them took since the last check serves the slice's
    // end check too.
    while (more) {
      if (clock.reads !== reads) {
        reads = clock.reads;
        rounds = 0;
        if (clock.lastReading >= end) break;
      } else if (++rounds === CLOCK_ROUNDS) {
        rounds = 0;
        clock.readAndAdvance();
        if (clock.lastReading >= end) break;
        reads = clock.reads;
      }
      more = false;
      for (let i = 0; i < this.cpus.length; i++) {
        if (this.cpus[i].runUnit()) {
          this.units++;
          more = true;
        }
      }
    }
    if (more || this.anyRunnable()) this.kick();
  }

  private anyRunnable(): boolean {
    for (let i = 0; i < this.cpus.length; i++) if (this.cpus[i].runnable) return true;
    return false;
  }
}
