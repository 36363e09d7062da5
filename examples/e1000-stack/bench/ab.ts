/**
 * Same-process A/B of two checkouts of this workspace (before/after a change), for a machine whose load
 * swamps separate-process CPU-time pairs: both checkouts' workloads (`src/workloads.ts`, each with its own
 * copy of every package) are built in one process and measured in alternating rounds, so a load spike hits
 * both; prints each side's best and median Mpps of CPU time and the median per-round ratio B/A. The order
 * matters: the side built second often runs slower (the same commit in two checkouts gave B/A of 0.90 to
 * 1.02), so run it in both orders and take sqrt(ratio(A,B) / ratio(B,A)). From this directory:
 *
 * ```sh
 * echo '{"extends":"'$PWD'/../../tsconfig.base.json","include":["/path/a/**\/*","/path/b/**\/*"]}' >/tmp/ab.json
 * TSX_TSCONFIG_PATH=/tmp/ab.json node --conditions=@ifnet/source --import tsx bench/ab.ts /path/a /path/b echo
 * ```
 *
 * Arguments: the two checkouts' roots, the path (`echo` | `tx` | `sink` | `rx`), the frame size (default 60).
 * `ROUNDS=n` and `BURSTS=n` (64-packet bursts per round) in the environment; default 40 and 400.
 */
import type * as Workloads from '../src/workloads.js';

const [dirA, dirB] = [process.argv[2], process.argv[3]];
if (dirA === undefined || dirB === undefined)
  throw new Error('usage: bench/ab.ts <checkout A> <checkout B> [path] [size]');
const what = (process.argv[4] ?? 'echo') as Workloads.PathName;
const size = Number(process.argv[5] ?? 60);
const load = async (dir: string) => {
  const w: typeof Workloads = await import(`${dir}/examples/e1000-stack/src/workloads.ts`);
  return w.pathWorkload(what, { clock: 'real', size });
};
const a = await load(dirA);
const b = await load(dirB);
for (const w of [a, b, a]) w.run(64 * 3000); // warm-up: every function optimised
const bursts = Number(process.env.BURSTS ?? 400);
const mpps = (w: typeof a) => {
  const c0 = process.cpuUsage();
  const n = w.run(64 * bursts);
  const c = process.cpuUsage(c0);
  return n / ((c.user + c.system) / 1000) / 1000;
};
const ra: number[] = [];
const rb: number[] = [];
const ratio: number[] = [];
for (let k = 0; k < Number(process.env.ROUNDS ?? 40); k++) {
  // Alternate which side goes first, so neither always runs right after the other's garbage.
  let x: number;
  let y: number;
  if (k % 2 === 0) {
    x = mpps(a);
    y = mpps(b);
  } else {
    y = mpps(b);
    x = mpps(a);
  }
  ra.push(x);
  rb.push(y);
  ratio.push(y / x);
}
const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
const f = (v: number) => v.toFixed(3);
console.log(
  `${what} ${size} B: A best ${f(Math.max(...ra))} median ${f(median(ra))} | B best ${f(Math.max(...rb))} ` +
    `median ${f(median(rb))} Mpps of CPU time | median ratio B/A ${f(median(ratio))}`,
);
a.rig.stop();
b.rig.stop();
