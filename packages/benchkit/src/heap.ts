/**
 * Heap bytes per operation and GC events in a measured window, from the JavaScript engine's own counters.
 *
 * The runtime-specific part is a small injected {@link HeapProbe}: `@ifnet/benchkit/node` provides one
 * for Node (V8's `new_space` statistics and PerformanceObserver 'gc' entries); in a browser, pass a probe
 * over whatever the page can see, or none (then only rates are measured).
 *
 * Method: new objects are bump-allocated in the young generation, so the growth of its used size over a
 * stretch of iterations is what those iterations allocated, unless a scavenge emptied it meanwhile. The
 * meter reads the young generation every `sampleEvery` iterations, keeps the growth of the intervals
 * without a collection (a drop in used size marks one), subtracts what a reading itself allocates
 * (calibrated first), and divides by the iterations of those intervals. So the figure stays right when
 * the loop allocates enough to trigger scavenges, and it is exactly 0 for a loop that allocates nothing.
 *
 * @module
 */
import { median } from './index.js';

/** What the meter needs from the runtime. */
export interface HeapProbe {
  /** Bytes in use in the young generation (where new objects go). */
  youngUsed(): number;
  /** Starts counting GC events. */
  startGcCount(): void;
  /** Stops counting and returns the GC events seen since {@link startGcCount} (may wait for delivery). */
  stopGcCount(): Promise<number>;
  /** Runs a full collection if the runtime allows it (before a window, so leftovers do not count). */
  collect?(): void;
}

/** What a measured window cost. */
export interface HeapCost {
  /** Young-generation bytes allocated per iteration (0 for an allocation-free loop). */
  bytesPerIteration: number;
  /** GC events (scavenges and full collections) during the window. */
  gcEvents: number;
  /**
   * The median over the intervals without a collection of each interval's bytes per iteration. Robust to
   * sporadic allocations by something else in the process (a test runner's messages, a timer): an
   * allocation-free loop has 0 here even when a few intervals caught such noise, while a loop that
   * allocates per iteration shows it in every interval. Prefer it for "allocates nothing" assertions.
   */
  medianBytesPerIteration: number;
  /** Iterations whose interval saw no collection (the basis of {@link bytesPerIteration}). */
  iterationsCounted: number;
  iterations: number;
}

export interface HeapMeasureOptions {
  /** Iterations run before the window (optimisation, pools filled). Default `iterations / 4`. */
  warmup?: number;
  /** Iterations between two readings. Default 1024. */
  sampleEvery?: number;
}

/** Bytes one {@link HeapProbe.youngUsed} call allocates itself (median of a few pairs). */
function readingCost(probe: HeapProbe): number {
  // Warm the probe first: its first calls run unoptimised and allocate more than later ones, and a cost
  // calibrated on them would be wrong for the whole window (bytes per iteration that are the probe's).
  for (let i = 0; i < 256; i++) probe.youngUsed();
  const costs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const a = probe.youngUsed();
    const b = probe.youngUsed();
    if (b >= a) costs.push(b - a);
  }
  costs.sort((x, y) => x - y);
  return costs.length === 0 ? 0 : costs[costs.length >> 1];
}

/**
 * Runs `body(i)` for `iterations` iterations (after a warm-up) and returns the heap bytes per iteration and
 * the GC events of the window.
 */
export async function measureHeap(
  probe: HeapProbe,
  body: (i: number) => void,
  iterations: number,
  options: HeapMeasureOptions = {},
): Promise<HeapCost> {
  const warmup = options.warmup ?? Math.floor(iterations / 4);
  const every = Math.max(1, options.sampleEvery ?? 1024);
  for (let i = 0; i < warmup; i++) body(i);
  probe.collect?.();
  const cost = readingCost(probe);
  probe.startGcCount();
  // Pre-allocated before the window, so recording an interval allocates nothing inside it.
  const perInterval = new Float64Array(Math.ceil(iterations / every));
  let intervals = 0;
  let bytes = 0;
  let counted = 0;
  let last = probe.youngUsed();
  let i = 0;
  while (i < iterations) {
    const n = Math.min(every, iterations - i);
    for (let k = 0; k < n; k++) body(i + k);
    i += n;
    const now = probe.youngUsed();
    const grown = now - last - cost;
    if (now >= last) {
      bytes += Math.max(grown, 0);
      counted += n;
      perInterval[intervals++] = Math.max(grown, 0) / n;
    }
    last = now;
  }
  const gcEvents = await probe.stopGcCount();
  // After the window: the copy for `median` is not measured.
  const medianBytes = intervals === 0 ? 0 : median(Array.from(perInterval.subarray(0, intervals)));
  return {
    bytesPerIteration: counted > 0 ? bytes / counted : 0,
    medianBytesPerIteration: medianBytes,
    gcEvents,
    iterationsCounted: counted,
    iterations,
  };
}

export interface SteadyHeapOptions extends HeapMeasureOptions {
  /** Most windows to run before giving up on the figure settling. Default 6. */
  maxWindows?: number;
}

/** A {@link HeapCost} with how many windows it took to settle. */
export interface SteadyHeapCost extends HeapCost {
  /** Windows run (the first has the warm-up; the result is the last one's). */
  windows: number;
}

/**
 * {@link measureHeap} in the steady state: repeats the window until its median bytes per iteration is 0 or
 * agrees with the previous window's (within one byte), up to `maxWindows`, and returns the last window.
 *
 * Why: after a code path changes (a policy added, a deoptimisation), V8 runs baseline code that boxes
 * numbers until the optimising compiler — a background thread — has finished. A warm-up counted in
 * iterations is enough on a quiet machine and too short on a loaded one (a CI runner with every core busy
 * starves that thread), so an "allocates nothing" test would fail there on the JIT's transient, not on the
 * code's steady state. A loop that really allocates per iteration shows the same figure in every window.
 */
export async function measureSteadyHeap(
  probe: HeapProbe,
  body: (i: number) => void,
  iterations: number,
  options: SteadyHeapOptions = {},
): Promise<SteadyHeapCost> {
  const max = Math.max(1, options.maxWindows ?? 6);
  let c = await measureHeap(probe, body, iterations, options);
  let windows = 1;
  while (windows < max && c.medianBytesPerIteration > 0) {
    const next = await measureHeap(probe, body, iterations, { ...options, warmup: 0 });
    windows++;
    const settled = Math.abs(next.medianBytesPerIteration - c.medianBytesPerIteration) <= 1;
    c = next;
    if (settled) break;
  }
  return { ...c, windows };
}
