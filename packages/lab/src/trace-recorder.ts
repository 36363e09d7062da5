/**
 * Records a host's kernel activity as Chrome / Perfetto trace-event JSON (the "JSON Array/Object Format"
 * of the Trace Event Format that ui.perfetto.dev and chrome://tracing open): one *track* (a `tid`, named by
 * `thread_name` metadata) per CPU level — `clock` and `net` interrupts, `softnet` and `softclock`
 * continuations, `process` (the application) — and one per poll context (its polls and the round's
 * events). Installed as core's {@link KernelTracer} (`cpu.tracer`).
 *
 * Events:
 * - `B`/`E` pairs for every interrupt (named by its handler, `args.line`), continuation (named by the
 *   continuation) and poll (`poll`, `args.budget` on begin, `args.work` on end). A level's track never
 *   nests (an interrupt at level L is only pre-empted by a higher level, which has its own track), so each
 *   track's events are in time order;
 * - `i` (thread-scoped instants) on a poll context's track: `defer`, `tick-deferral`, `unmask`,
 *   `race-recheck`, `hold-park`, `coalesce-deferral`;
 * - `M` metadata: `process_name` (the host), `thread_name` and `thread_sort_index` per track.
 *
 * Timestamps (`ts`) are microseconds: the CPU's own time on the virtual clock (it includes the charged
 * costs, so slices have the cost profile's widths), the wall clock on the real clock.
 *
 * **Bounded**: at most `maxEvents` events are kept (default {@link TRACE_MAX_EVENTS}); after that only the
 * ends of open slices are recorded (so pairs stay balanced) and the rest is counted in `dropped`. The
 * recorder allocates (one object per event): install it for a window, never on a measured hot path.
 *
 * @module
 */
import {
  type Continuation,
  type Cpu,
  IPL_NAMES,
  type InterruptSource,
  type KernelTracer,
  type PollContext,
  type PollTraceEvent,
} from '@ifnet/core';

/** Default bound on recorded events (about 100 bytes of JSON each). */
export const TRACE_MAX_EVENTS = 500_000;

/** One trace event, as serialised (the fields the Trace Event Format defines that we use). */
export interface TraceEvent {
  name: string;
  /** Category: `interrupt`, `continuation`, `poll`, `__metadata` (Chrome's own traces always have one). */
  cat: string;
  ph: 'B' | 'E' | 'X' | 'i' | 'M';
  ts: number;
  pid: number;
  tid: number;
  /** Instant scope: `t` (thread). */
  s?: 't';
  dur?: number;
  args?: Record<string, string | number | boolean>;
}

/** The JSON object written to a trace file. */
export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns' | 'ms';
  /** Free-form metadata shown by the viewers (`otherData`). */
  otherData: Record<string, string | number | boolean>;
}

interface Track {
  tid: number;
  /** Open B slices on this track. */
  open: number;
  /** Last timestamp written (µs), to keep the track monotonic when the clock source is coarser. */
  last: number;
}

const PID = 1;
const META = '__metadata';
/** Tracks of CPU levels get tids 1..; poll contexts follow from here. */
const POLL_TID_BASE = 100;

export interface TraceRecorderOptions {
  /** Name of the traced host (the `process_name`). */
  host: string;
  maxEvents?: number;
  /** Free-form facts about the run, copied into `otherData` (model, rate, window...). */
  about?: Record<string, string | number | boolean>;
}

export class TraceRecorder implements KernelTracer {
  private readonly events: TraceEvent[] = [];
  private readonly levels = new Map<string, Track>();
  private readonly polls = new Map<string, Track>();
  private readonly meta: TraceEvent[] = [];
  private readonly maxEvents: number;
  /** Events not recorded because the bound was reached. */
  dropped = 0;
  private cpu: Cpu | null = null;

  constructor(private readonly options: TraceRecorderOptions) {
    this.maxEvents = options.maxEvents ?? TRACE_MAX_EVENTS;
    if (!(this.maxEvents >= 1)) throw new RangeError(`trace: maxEvents ${this.maxEvents}`);
    this.meta.push({ name: 'process_name', cat: META, ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: options.host } });
  }

  /** Installs the recorder on `cpu` (its interrupts, continuations and poll contexts). */
  attach(cpu: Cpu): void {
    this.cpu = cpu;
    cpu.tracer = this;
  }

  /** Stops recording (the CPU's tracer is removed if it is still this one). */
  detach(): void {
    if (this.cpu !== null && this.cpu.tracer === this) this.cpu.tracer = null;
  }

  /** Events recorded so far (metadata excluded). */
  get size(): number {
    return this.events.length;
  }

  /** Microseconds: the CPU's time on the virtual clock, a fresh wall-clock reading on the real clock. */
  private now(cpu: Cpu): number {
    return (cpu.clock.kind === 'virtual' ? cpu.now() : cpu.clock.now()) / 1000;
  }

  private levelTrack(cpu: Cpu, ipl: number): Track {
    const key = `${cpu.name} ${ipl === 0 ? 'process' : IPL_NAMES[ipl]}`;
    let t = this.levels.get(key);
    if (t === undefined) {
      t = this.track(key, 1 + this.levels.size, 10 - ipl);
      this.levels.set(key, t);
    }
    return t;
  }

  private pollTrack(ctx: PollContext): Track {
    let t = this.polls.get(ctx.name);
    if (t === undefined) {
      t = this.track(`poll ${ctx.name}`, POLL_TID_BASE + this.polls.size, 20 + this.polls.size);
      this.polls.set(ctx.name, t);
    }
    return t;
  }

  private track(name: string, tid: number, sortIndex: number): Track {
    this.meta.push({ name: 'thread_name', cat: META, ph: 'M', ts: 0, pid: PID, tid, args: { name } });
    this.meta.push({
      name: 'thread_sort_index',
      cat: META,
      ph: 'M',
      ts: 0,
      pid: PID,
      tid,
      args: { sort_index: sortIndex },
    });
    return { tid, open: 0, last: Number.NEGATIVE_INFINITY };
  }

  private push(t: Track, e: Omit<TraceEvent, 'pid' | 'tid'>): void {
    if (e.ph === 'E') {
      if (t.open === 0) return; // its begin was dropped or came before the window
      t.open--;
    } else if (this.events.length >= this.maxEvents) {
      this.dropped++;
      return;
    } else if (e.ph === 'B') {
      t.open++;
    }
    if (e.ts < t.last) e.ts = t.last;
    t.last = e.ts;
    this.events.push({ ...e, pid: PID, tid: t.tid });
  }

  interruptBegin(cpu: Cpu, src: InterruptSource): void {
    const name = src.handlerName || src.name;
    this.push(this.levelTrack(cpu, src.ipl), {
      name,
      cat: 'interrupt',
      ph: 'B',
      ts: this.now(cpu),
      args: { line: src.name },
    });
  }

  interruptEnd(cpu: Cpu, src: InterruptSource): void {
    this.push(this.levelTrack(cpu, src.ipl), {
      name: src.handlerName || src.name,
      cat: 'interrupt',
      ph: 'E',
      ts: this.now(cpu),
    });
  }

  continuationBegin(cpu: Cpu, kc: Continuation<any>): void {
    this.push(this.levelTrack(cpu, kc.ipl), { name: kc.name, cat: 'continuation', ph: 'B', ts: this.now(cpu) });
  }

  continuationEnd(cpu: Cpu, kc: Continuation<any>): void {
    this.push(this.levelTrack(cpu, kc.ipl), { name: kc.name, cat: 'continuation', ph: 'E', ts: this.now(cpu) });
  }

  pollBegin(ctx: PollContext, budget: number): void {
    const cpu = ctx.ifp.host.cpu;
    this.push(this.pollTrack(ctx), { name: 'poll', cat: 'poll', ph: 'B', ts: this.now(cpu), args: { budget } });
  }

  pollEnd(ctx: PollContext, work: number): void {
    const cpu = ctx.ifp.host.cpu;
    this.push(this.pollTrack(ctx), { name: 'poll', cat: 'poll', ph: 'E', ts: this.now(cpu), args: { work } });
  }

  pollEvent(ctx: PollContext, event: PollTraceEvent): void {
    const cpu = ctx.ifp.host.cpu;
    this.push(this.pollTrack(ctx), { name: event, cat: 'poll', ph: 'i', s: 't', ts: this.now(cpu) });
  }

  /**
   * The trace: metadata first, then the events in the order they happened, with every slice still open
   * (the window ended inside it) closed at its track's last timestamp.
   */
  finish(): ChromeTrace {
    this.detach();
    const closing: TraceEvent[] = [];
    for (const t of [...this.levels.values(), ...this.polls.values()]) {
      for (; t.open > 0; t.open--)
        closing.push({ name: 'window end', cat: 'window', ph: 'E', ts: t.last, pid: PID, tid: t.tid });
    }
    return {
      traceEvents: [...this.meta, ...this.events, ...closing],
      displayTimeUnit: 'ns',
      otherData: { ...this.options.about, events: this.events.length, dropped: this.dropped },
    };
  }
}
