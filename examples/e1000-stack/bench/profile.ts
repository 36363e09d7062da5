/**
 * Profiling aid for the echo, transmit and receive (sink, UDP socket) paths (not a benchmark: no reference, one long run). Run with
 * V8's CPU profiler, from this directory:
 *
 * ```sh
 * TSX_TSCONFIG_PATH=../../tsconfig.base.json node --cpu-prof --cpu-prof-dir=/tmp/prof \
 *   --conditions=@ifnet/source --import tsx bench/profile.ts real echo
 * ```
 *
 * Arguments: clock (`real` | `virtual`), path (`echo` | `tx` | `sink` | `rx`), addresses (`low` | `high`). With `--heap`
 * after them it samples allocations instead (V8's sampling heap profiler, objects collected by GC
 * included) and writes `alloc.heapprofile` to the current directory (open it in Chrome's DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import { BURST, PATHS, pathWorkload } from '../src/workloads.js';

const clock = process.argv[2] === 'virtual' ? 'virtual' : 'real';
const what = PATHS.find((p) => p === process.argv[3]) ?? 'echo';
const net = process.argv[4] === 'high' ? 'high' : 'low';
const heap = process.argv.includes('--heap');
const { rig: r, run } = pathWorkload(what, { clock, net });
run(BURST * 4000); // warm-up: every function optimised
// A full collection: the rig's objects in the old generation, as in a long-running stack (see benchkit's
// BenchOptions.settle: otherwise every store of a young buffer into an old ring takes the write barrier's slow path).
nodeHeapProbe().collect?.();
const session = heap ? new Session() : null;
if (session !== null) {
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
}
const t0 = performance.now();
// BURSTS=n in the environment for a longer measured run (a steadier profile).
const n = run(BURST * Number(process.env.BURSTS ?? 20_000));
const t1 = performance.now();
if (session !== null) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync('alloc.heapprofile', JSON.stringify(profile));
}
console.log(`${what} on the ${clock} clock (${net} addresses): ${(n / (t1 - t0) / 1000).toFixed(3)} Mpps`);
r.stop();
