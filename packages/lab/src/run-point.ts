/**
 * One point of the livelock experiment: one model, one offered rate, on the virtual clock.
 *
 * Workload (the same for every model): a {@link TrafficSource} blasts minimum-size (60-byte) UDP/IPv4
 * frames at constant rate into an e1000 model; the `wm` driver, IPv4 and UDP deliver them to a socket
 * bound to port 9 whose receive queue holds 128 datagrams; an application drains it at process level
 * (`IPL_NONE`) and spends the cost profile's `app` layer on each datagram. Costs come from the cost
 * profile, so a run is deterministic for a given seed.
 *
 * Latency is frame arrival on the wire → the application's callback; arrival times are exact (constant
 * rate), looked up by the sequence number the source stamps into each datagram.
 */
import { type CostProfile, Simulation, msec } from '@ifnet/core';
import { TrafficSource } from '@ifnet/wire';
import { createLabHost } from './lab-host.js';
import type { InterruptModel } from './models.js';
import { livelockPoint, mbufsBalanced, readCounters, softwareDropsSinceBoot, windowFigures } from './point-counters.js';
import type { TraceRecorder } from './trace-recorder.js';
import { UDP_FRAME_SEQ_OFFSET } from './udp-frame.js';

/** Latency samples kept per run (a ring over the measured window's deliveries). */
export const LATENCY_SAMPLES = 1 << 18;

export interface RunOptions {
  seed?: number;
  /** Measured window (ms of simulated time), after {@link warmupMs}. Default 50. */
  windowMs?: number;
  /** Warm-up before measuring (ms). Default 10. */
  warmupMs?: number;
  costs?: CostProfile;
  /** Host clock rate (ticks per second). Default 1000. */
  hz?: number;
  /** Record a window of this point's kernel activity (`ifnet lab livelock --trace`). */
  trace?: TraceWindow;
}

/**
 * A window of one point to trace: `recorder` is installed on the host's CPU `startMs` into the measured
 * window (default 0) for `durationMs` (cut at the window's end). The caller calls `recorder.finish()`.
 */
export interface TraceWindow {
  recorder: TraceRecorder;
  startMs?: number;
  durationMs: number;
}

/** One row of the sweep (snake_case: it is the JSON shape of `ifnet lab livelock --json`). */
export interface LivelockPoint {
  offered_pps: number;
  /** Datagrams per second handed to the application. */
  delivered_pps: number;
  interrupts_per_s: number;
  /** Frames taken per device interrupt (delivered + dropped in software, per interrupt); 0 without interrupts. */
  packets_per_interrupt: number;
  /** Rounds started by the clock tick instead of an interrupt, per second. */
  tick_polls_per_s: number;
  latency_p50_us: number;
  latency_p99_us: number;
  /** Drops per second by named reason; `nic.missed` is the NIC's own (no free receive descriptor). */
  drops: Record<string, number>;
  /** Share of the CPU (0..1) by context: `interrupt`, `softnet`, `softclock`, `process`, `idle`. */
  cpu: Record<string, number>;
  /** Every offered frame is accounted for: delivered, dropped with a reason, refused, or in flight. */
  accounted: boolean;
  /**
   * No lost mbufs: after the traffic stops, the queues drain and the interface goes down, the pool has
   * none in use and its accounting (`allocations = frees + inUse`) holds.
   */
  mbufs_balanced: boolean;
  /**
   * Mbuf allocations per second made in interrupt context (counted by the host's allocation guard): the
   * classic models' top-half copies and ring refills; 0 for the others, whose hosts forbid them.
   */
  interrupt_allocs_per_s: number;
  /** `ipintrq` of the classic models: its high-water mark over the run (absent for the other models). */
  ipintrq_high_water?: number;
}

/** Runs one model at one offered rate and measures it. */
export function runPoint(model: InterruptModel, rate: number, options: RunOptions = {}): LivelockPoint {
  const seed = options.seed ?? 1;
  const windowMs = options.windowMs ?? 50;
  const warmupMs = options.warmupMs ?? 10;
  const sim = new Simulation({ seed });
  const t0 = msec(1);
  const period = 1e9 / rate;
  const latencies = new Float64Array(LATENCY_SAMPLES);
  let nLat = 0;
  let delivered = 0;
  let measuring = false;
  const h = createLabHost(model, sim, options, (seq) => {
    if (!measuring) return;
    delivered++;
    latencies[nLat++ & (LATENCY_SAMPLES - 1)] = h.host.now() - (t0 + Math.round(seq * period));
  });
  const { dev, sink, ifp, legacy } = h;
  const gen = new TrafficSource(sim.clock, { rate, template: h.template, seqOffset: UDP_FRAME_SEQ_OFFSET });
  gen.attach(dev);
  gen.start(t0);
  sim.runUntil(msec(1 + warmupMs));
  const s0 = readCounters(h);
  measuring = true;
  const end = msec(1 + warmupMs + windowMs);
  const trace = options.trace;
  if (trace !== undefined) {
    // Traced point: the same run, stopped twice more (stopping points do not change what happens).
    const from = Math.min(end, msec(1 + warmupMs + (trace.startMs ?? 0)));
    sim.runUntil(from);
    trace.recorder.attach(h.host.cpu);
    sim.runUntil(Math.min(end, from + msec(trace.durationMs)));
    trace.recorder.detach();
  }
  sim.runUntil(end);
  measuring = false;
  const s1 = readCounters(h);
  gen.stop();
  sim.runFor(msec(20));

  // The CPU's own window, not the nominal one: see PointCounters.t.
  const w = (s1.t - s0.t) / 1e9;
  const f = windowFigures(s0, s1, w);
  const d = dev.stats;
  const accounted =
    gen.offered === gen.refused + (d.rxFrames - d.rxDelivered) + softwareDropsSinceBoot(h) + sink.stats.received;
  sink.close();
  void ifp.down(); // stop frees the ring's buffers; on the virtual clock it completes within the run below
  sim.runFor(msec(1));
  return wholeRates(
    livelockPoint({
      rate,
      seconds: w,
      delivered,
      figures: f,
      latencies,
      samples: Math.min(nLat, LATENCY_SAMPLES),
      perMicrosecond: 1000,
      accounted,
      mbufsBalanced: mbufsBalanced(h),
      ipintrqHighWater: legacy?.ipintrq.stats.highWater,
    }),
  );
}

/** Per-second figures rounded to whole numbers (the window is the CPU's, a little longer than nominal). */
function wholeRates(p: LivelockPoint): LivelockPoint {
  p.delivered_pps = Math.round(p.delivered_pps);
  p.interrupts_per_s = Math.round(p.interrupts_per_s);
  p.tick_polls_per_s = Math.round(p.tick_polls_per_s);
  p.interrupt_allocs_per_s = Math.round(p.interrupt_allocs_per_s);
  for (const k of Object.keys(p.drops)) p.drops[k] = Math.round(p.drops[k]);
  return p;
}
