/**
 * The counters a livelock point reads at the start and the end of its measured window, and what the
 * window's figures are made of: drops per second by named reason, interrupts, tick rounds, the CPU share
 * charged per context, and software drops since boot (for the accounting identity). Shared by the
 * virtual-clock and the real-clock points.
 *
 * @module
 */
import { IPL_NAMES } from '@ifnet/core';
import type { LabHost } from './lab-host.js';
import { percentile } from './percentile.js';
import type { LivelockPoint } from './run-point.js';

/** The driver's copy of the NIC's no-descriptor counter: counted once, as `nic.missed`. */
const DRIVER_MISSED = 'wm.rx.missed';

export interface PointCounters {
  /**
   * The host CPU's time at the reading (ns): on the virtual clock its local time, which a unit of work
   * that began before a run's end carries past it. A window's shares and rates are taken over
   * `t1 - t0`, the stretch the charges were made in; over the nominal window a unit that ran past one
   * end counted in full, and shares above 100 % appeared.
   */
  t: number;
  missed: number;
  drops: Record<string, number>;
  intr: number;
  ticks: number;
  cpuI: number;
  soft: number[];
  /** Allocations the host's guard counted in interrupt context (the classic models only). */
  allocs: number;
}

export function readCounters(h: Pick<LabHost, 'host' | 'dev' | 'ifp'>): PointCounters {
  return {
    t: h.host.cpu.now(),
    missed: h.dev.stats.rxMissed,
    drops: { ...h.ifp.counters.drops },
    intr: h.ifp.counters.interrupts,
    ticks: h.ifp.counters.tickDeferrals,
    cpuI: h.host.cpu.stats.chargedInterrupt,
    soft: Array.from(h.host.cpu.stats.chargedSoft),
    allocs: h.host.guard.violations,
  };
}

export interface WindowFigures {
  /** Per second, by reason; `nic.missed` first. */
  drops: Record<string, number>;
  /** Frames dropped in software during the window. */
  softwareDropped: number;
  interrupts: number;
  tickPolls: number;
  /** Share of the window (0..1) charged per context: `interrupt`, `softnet`, `softclock`, `process`, `idle`. */
  cpu: Record<string, number>;
  /** Allocations made in interrupt context during the window. */
  interruptAllocs: number;
}

/** The figures of a window of `seconds` between two readings. */
export function windowFigures(s0: PointCounters, s1: PointCounters, seconds: number): WindowFigures {
  const drops: Record<string, number> = { 'nic.missed': (s1.missed - s0.missed) / seconds };
  let softwareDropped = 0;
  for (const [reason, n] of Object.entries(s1.drops)) {
    if (reason === DRIVER_MISSED) continue;
    const d = n - (s0.drops[reason] ?? 0);
    if (d > 0) {
      drops[reason] = d / seconds;
      softwareDropped += d;
    }
  }
  const cpu: Record<string, number> = { interrupt: (s1.cpuI - s0.cpuI) / (seconds * 1e9) };
  let busy = cpu.interrupt;
  for (let l = s1.soft.length - 1; l >= 0; l--) {
    const share = (s1.soft[l] - s0.soft[l]) / (seconds * 1e9);
    cpu[l === 0 ? 'process' : IPL_NAMES[l]] = share;
    busy += share;
  }
  cpu.idle = Math.max(0, 1 - busy);
  return {
    drops,
    softwareDropped,
    interrupts: s1.intr - s0.intr,
    tickPolls: s1.ticks - s0.ticks,
    cpu,
    interruptAllocs: s1.allocs - s0.allocs,
  };
}

/** Frames dropped in software since boot (every named reason but the driver's copy of `nic.missed`). */
export function softwareDropsSinceBoot(h: Pick<LabHost, 'ifp'>): number {
  let n = 0;
  for (const [reason, d] of Object.entries(h.ifp.counters.drops)) if (reason !== DRIVER_MISSED) n += d;
  return n;
}

/** What a measured window adds up to, besides the counters: the point's own tallies. */
export interface PointTallies {
  rate: number;
  /** Length of the window (s). */
  seconds: number;
  /** Datagrams the application got during the window. */
  delivered: number;
  figures: WindowFigures;
  /** Latency samples (first `samples` of them used, sorted in place), in units of 1/`perMicrosecond` µs (ns: 1000). */
  latencies: Float64Array;
  samples: number;
  perMicrosecond: number;
  accounted: boolean;
  /** {@link mbufsBalanced} after the run. */
  mbufsBalanced: boolean;
  /** The classic models' `ipintrq` high-water mark (absent for the others). */
  ipintrqHighWater?: number;
}

/** The sweep row of a window (the JSON shape of `ifnet lab livelock --json`). */
export function livelockPoint(t: PointTallies): LivelockPoint {
  const { seconds: w, figures: f } = t;
  return {
    offered_pps: t.rate,
    delivered_pps: t.delivered / w,
    interrupts_per_s: f.interrupts / w,
    packets_per_interrupt: f.interrupts > 0 ? (t.delivered + f.softwareDropped) / f.interrupts : 0,
    tick_polls_per_s: f.tickPolls / w,
    latency_p50_us: percentile(t.latencies, t.samples, 50) / t.perMicrosecond,
    latency_p99_us: percentile(t.latencies, t.samples, 99) / t.perMicrosecond,
    drops: f.drops,
    cpu: f.cpu,
    accounted: t.accounted,
    mbufs_balanced: t.mbufsBalanced,
    interrupt_allocs_per_s: f.interruptAllocs / w,
    ...(t.ipintrqHighWater === undefined ? {} : { ipintrq_high_water: t.ipintrqHighWater }),
  };
}

/**
 * No lost mbufs: call after the traffic stopped, the sink closed and the interface went down (which frees
 * the ring's buffers). True when the pool has none in use and its accounting
 * (`allocations = frees + inUse`) holds.
 */
export function mbufsBalanced(h: Pick<LabHost, 'host'>): boolean {
  const pool = h.host.pool.snapshot();
  return h.host.pool.checkAccounting().ok && pool.mbufs.inUse === 0 && pool.clusters.inUse === 0;
}
