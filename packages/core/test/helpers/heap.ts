/**
 * Heap cost of a loop body, from V8's own accounting, through @ifnet/benchkit's meter (the method is
 * described in `measureHeap`): the young generation's growth over intervals without a collection, per
 * iteration, and the GC events of the window. Shared by the heap tests of core.
 */
import { type HeapCost, measureHeap } from '@ifnet/benchkit';
import { nodeHeapProbe } from '@ifnet/benchkit/node';

export type { HeapCost };

export const ITERATIONS = 1_000_000;
const WARMUP = 200_000;
const probe = nodeHeapProbe();

export function heapCost(
  body: (i: number) => void,
  iterations = ITERATIONS,
  warmup = WARMUP,
  sampleEvery = 4096,
): Promise<HeapCost> {
  return measureHeap(probe, body, iterations, { warmup, sampleEvery });
}

/**
 * Less than one byte per iteration in the median interval: a loop that allocates even one small object per
 * iteration fails (it shows in every interval), a stray allocation elsewhere in the process (the test
 * runner's messages, which land in a few intervals) does not.
 */
export function allocationFree(c: HeapCost): boolean {
  return c.medianBytesPerIteration < 1;
}
