/**
 * Heap cost of a loop body, from V8's own accounting (the method is described in
 * `test/mbuf/heap.test.ts`): young-generation collections reported through a PerformanceObserver on 'gc'
 * entries during the loop, and the growth of `new_space`. Shared by the heap tests of core.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const ITERATIONS = 1_000_000;
const WARMUP = 200_000;

export interface HeapCost {
  scavenges: number;
  newSpaceGrowth: number;
  growthPerIteration: number;
}

function newSpaceUsed(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size;
  throw new Error('no new_space in V8 heap statistics');
}

export async function heapCost(body: (i: number) => void, iterations = ITERATIONS): Promise<HeapCost> {
  for (let i = 0; i < WARMUP; i++) body(i);
  gc();
  gc();
  let scavenges = 0;
  let t0 = 0;
  let t1 = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR && e.startTime >= t0 && e.startTime <= t1) scavenges++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = newSpaceUsed();
  t0 = performance.now();
  for (let i = 0; i < iterations; i++) body(i);
  t1 = performance.now();
  const after = newSpaceUsed();
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 100));
  obs.disconnect();
  const newSpaceGrowth = after - before;
  return { scavenges, newSpaceGrowth, growthPerIteration: newSpaceGrowth / iterations };
}

export function allocationFree(c: HeapCost, iterations = ITERATIONS): boolean {
  return c.scavenges === 0 && c.newSpaceGrowth < iterations;
}
