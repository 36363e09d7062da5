/**
 * The livelock experiment on the **real clock** (`ifnet lab livelock --clock real`): the same host and
 * workload as `@ifnet/lab`'s virtual-clock points, but the kernel runs on this thread against the wall
 * clock, with no cost profile (every charge is zero: work costs what the JavaScript really costs), and the
 * traffic comes from a worker thread (`@ifnet/tunnel`'s {@link WorkerTrafficSource}) at a wall-clock rate,
 * through a shared-memory ring the host drains every 20 µs of wall time. When the kernel cannot keep up,
 * the collapse is real: the NIC's ring fills (`nic.missed`), or the worker's ring does (`wire.ring`).
 *
 * Figures per point, beyond the virtual clock's: `generated_pps` (what the worker really produced: below
 * `offered_pps` when it lacks a core), `window_ms_measured` (the wall-clock window). CPU shares are
 * measured wall time per level (`@ifnet/lab`'s {@link LevelTimeTracer}); latency is sampled on one
 * datagram in {@link LATENCY_EVERY}, from when the worker made the frame due to the application's callback.
 * Not deterministic, and noisy on a shared machine: say under what load a figure was measured.
 *
 * Node-only (worker threads), hence here rather than in `@ifnet/lab`.
 */
import { RealTimeRunner, ZERO_COST_PROFILE } from '@ifnet/core';
import {
  DEFAULT_RATES,
  type InterruptModel,
  LATENCY_SAMPLES,
  LevelTimeTracer,
  type LivelockPoint,
  type LivelockReport,
  type RunOptions,
  type SweepOptions,
  UDP_FRAME_SEQ_OFFSET,
  createLabHost,
  livelockPoint,
  interruptModel,
  readCounters,
  runPoint,
  mbufsBalanced,
  softwareDropsSinceBoot,
  sweepSteps,
  teeTracer,
  windowFigures,
} from '@ifnet/lab';
import { WorkerTrafficSource } from '@ifnet/tunnel';

/** Latency is sampled on one datagram in this many (a wall-clock read per datagram would cost more). */
export const LATENCY_EVERY = 8;
/** Wall-clock warm-up before the measured window (ms). */
export const REAL_WARMUP_MS = 50;
/** Slots of the worker's ring (the "wire FIFO"): 4096 frames, 8 ms at 500,000/s. */
const RING_SLOTS = 4096;
/** Simulated time of the virtual-clock point that warms each model's code up before a real sweep (ms). */
const JIT_WARMUP_MS = 10;
/** How long the traffic worker may take to start. */
const WORKER_START_TIMEOUT_MS = 10_000;
/** Time given to the host to finish what is in its rings after the worker stopped (ms). */
const DRAIN_MS = 30;

/** A real-clock point: the virtual clock's fields, plus what only a real run can report. */
export interface RealLivelockPoint extends LivelockPoint {
  /** Frames per second the worker really generated during the window. */
  generated_pps: number;
  /** The measured window's wall-clock length (the timers that bound it are not exact). */
  window_ms_measured: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one model at one offered rate on the real clock. `seed` and `costs` do not apply. */
export async function runPointReal(
  model: InterruptModel,
  rate: number,
  options: RunOptions = {},
): Promise<RealLivelockPoint> {
  const windowMs = options.windowMs ?? 50;
  const warmupMs = options.warmupMs ?? REAL_WARMUP_MS;
  const runner = new RealTimeRunner();
  const periodMs = 1000 / rate;
  const latencies = new Float64Array(LATENCY_SAMPLES);
  let nLat = 0;
  let delivered = 0;
  let measuring = false;
  let startMs = Number.NaN;
  const h = createLabHost(model, runner, { costs: ZERO_COST_PROFILE, hz: options.hz }, (seq) => {
    if (!measuring || delivered++ % LATENCY_EVERY !== 0) return;
    const nowMs = performance.timeOrigin + performance.now();
    latencies[nLat++ & (LATENCY_SAMPLES - 1)] = (nowMs - (startMs + seq * periodMs)) * 1000;
  });
  const src = new WorkerTrafficSource(runner.clock, {
    rate,
    frames: h.template,
    seqOffset: UDP_FRAME_SEQ_OFFSET,
    ringSlots: RING_SLOTS,
  });
  src.attach(h.dev);
  const cpu = h.host.cpu;
  const levels = new LevelTimeTracer();
  try {
    src.start();
    // A worker takes tens of ms to start (more on a busy machine): the warm-up begins with its traffic.
    const deadline = performance.now() + WORKER_START_TIMEOUT_MS;
    while (Number.isNaN(src.startMs)) {
      if (performance.now() > deadline)
        throw new Error(`traffic worker did not start in ${WORKER_START_TIMEOUT_MS} ms`);
      await sleep(1);
    }
    startMs = src.startMs;
    await sleep(warmupMs);
    const s0 = readCounters(h);
    const g0 = { generated: src.generated, ring: src.ringDropped };
    cpu.tracer = levels;
    const t0 = performance.now();
    measuring = true;
    const trace = options.trace;
    if (trace === undefined) {
      await sleep(windowMs);
    } else {
      const from = Math.min(windowMs, trace.startMs ?? 0);
      const to = Math.min(windowMs, from + trace.durationMs);
      await sleep(from);
      trace.recorder.attach(cpu);
      cpu.tracer = teeTracer(levels, trace.recorder);
      await sleep(to - from);
      cpu.tracer = levels;
      await sleep(windowMs - to);
    }
    measuring = false;
    const elapsedMs = performance.now() - t0;
    cpu.tracer = null;
    const s1 = readCounters(h);
    const g1 = { generated: src.generated, ring: src.ringDropped };
    await src.stop();
    await sleep(DRAIN_MS);
    h.sink.close();
    await h.ifp.down(); // stop frees the ring's buffers
    const balanced = mbufsBalanced(h);

    const w = elapsedMs / 1000;
    const f = windowFigures(s0, s1, w);
    const drops: Record<string, number> = { ...f.drops, 'wire.ring': (g1.ring - g0.ring) / w };
    const cpuShare: Record<string, number> = {};
    let busy = 0;
    for (const [level, ms] of Object.entries(levels.snapshot())) {
      cpuShare[level] = ms / elapsedMs;
      busy += ms / elapsedMs;
    }
    cpuShare.idle = Math.max(0, 1 - busy);
    const d = h.dev.stats;
    const accounted =
      src.generated ===
      src.ringDropped + src.refused + (d.rxFrames - d.rxDelivered) + softwareDropsSinceBoot(h) + h.sink.stats.received;
    return {
      ...livelockPoint({
        rate,
        seconds: w,
        delivered,
        figures: { ...f, drops, cpu: cpuShare },
        latencies,
        samples: Math.min(nLat, LATENCY_SAMPLES),
        perMicrosecond: 1,
        accounted,
        mbufsBalanced: balanced,
        ipintrqHighWater: h.legacy?.ipintrq.stats.highWater,
      }),
      generated_pps: (g1.generated - g0.generated) / w,
      window_ms_measured: elapsedMs,
    };
  } finally {
    cpu.tracer = null;
    await src.stop();
    runner.stop();
  }
}

/**
 * The sweep on the real clock: the same steps (and report shape) as `@ifnet/lab`'s `sweep`, `clock: 'real'`.
 * Each model's code is first warmed up by a short virtual-clock point at the highest rate (the driver and
 * protocol code is the same on both clocks), so the first real point does not measure V8's compiler.
 */
export async function sweepReal(options: SweepOptions): Promise<LivelockReport> {
  const top = Math.max(...(options.rates ?? DEFAULT_RATES));
  for (const m of options.models) runPoint(interruptModel(m), top, { windowMs: JIT_WARMUP_MS, warmupMs: 1 });
  const steps = sweepSteps(options, 'real');
  let r = steps.next();
  while (!r.done) r = steps.next(await runPointReal(r.value.model, r.value.rate, r.value.options));
  return r.value;
}
