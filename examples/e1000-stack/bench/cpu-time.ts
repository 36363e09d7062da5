/**
 * CPU time per packet of the echo (or UDP receive, or Ethernet sink) path, for before/after comparisons on a shared
 * machine: wall-clock rates swing with the load of other processes, the process's own CPU time
 * (`process.cpuUsage`) much less. Not a benchmark with a reference (that is `ifnet bench`); best of 5
 * runs of 128,000 packets after a warm-up. From this directory:
 *
 * ```sh
 * TSX_TSCONFIG_PATH=../../tsconfig.base.json node --conditions=@ifnet/source --import tsx bench/cpu-time.ts real echo
 * ```
 *
 * Arguments: clock (`real` | `virtual`), path (`echo` | `rx` | `sink`), frame size in bytes (default 60;
 * 1514 for the full-sized receive paths). On a heavily loaded machine, many short rounds ride out the load
 * spikes better than a few long ones: `ROUNDS=40 BURSTS=250` in the environment (rounds, and 64-packet
 * bursts per round; default 5 and 2000).
 */
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import { BURST, pathWorkload } from '../src/workloads.js';

const clock = process.argv[2] === 'virtual' ? 'virtual' : 'real';
const what = process.argv[3] === 'rx' || process.argv[3] === 'sink' ? process.argv[3] : 'echo';
const size = Number(process.argv[4] ?? 60);
const { rig: r, run } = pathWorkload(what, { clock, size });
run(BURST * 3000);
// A full collection: the rig's objects in the old generation, as in a long-running stack (see benchkit's
// BenchOptions.settle: otherwise every store of a young buffer into an old ring takes the write barrier's slow path).
nodeHeapProbe().collect?.();
const rounds = Number(process.env.ROUNDS ?? 5);
const bursts = Number(process.env.BURSTS ?? 2000);
let best = 0;
for (let k = 0; k < rounds; k++) {
  const c0 = process.cpuUsage();
  const n = run(BURST * bursts);
  const c = process.cpuUsage(c0);
  best = Math.max(best, n / ((c.user + c.system) / 1000) / 1000);
}
console.log(`${what} ${size} B ${clock}: best of ${rounds} ${best.toFixed(3)} Mpps of CPU time`);
r.stop();
