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
    }
    last = now;
  }
  const gcEvents = await probe.stopGcCount();
  return { bytesPerIteration: counted > 0 ? bytes / counted : 0, gcEvents, iterationsCounted: counted, iterations };
}
