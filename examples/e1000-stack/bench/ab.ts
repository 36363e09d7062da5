/**
 * Same-process A/B of CPU time per packet: this checkout against another one (`BASE`, a second git worktree
 * with its own install and build), for changes smaller than what separate runs resolve on a shared
 * machine. Both checkouts' workloads run in one process, in interleaved rounds, so a load spike from
 * other processes hits both; each pair of rounds gives a ratio new/base, and the median of those is
 * reported. Rounds are run in both load orders (base first, then new first) because the module graph
 * loaded second measured up to 5 % slower on its own here; the figure to quote is the geometric mean of
 * the two orders' medians. Not a benchmark with a reference (that is `ifnet bench`).
 *
 * Build both checkouts first (`pnpm build`) and run without `--conditions=@ifnet/source`, so both load
 * their packages' compiled `dist/` the same way. From this directory:
 *
 * ```sh
 * BASE=/tmp/base TSX_TSCONFIG_PATH=$PWD/../../tsconfig.base.json node --import tsx bench/ab.ts sink 60
 * ```
 *
 * Arguments: path (`sink` | `rx` | `echo` | `tx`), frame size (default 60). Environment: `BASE` (the
 * other checkout's root, required), `PAIRS` (rounds of each per order, default 80), `BURSTS` (64-packet
 * bursts per round, default 200). Real clock.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BURST, PATHS } from '../src/workloads.js';

type Workloads = typeof import('../src/workloads.js');
type Run = (packets: number) => number;

const what = PATHS.find((p) => p === process.argv[2]) ?? 'sink';
const size = Number(process.argv[3] ?? 60);
const base = process.env.BASE;
if (base === undefined) throw new Error('BASE=<root of the other checkout> is required');
const pairs = Number(process.env.PAIRS ?? 80);
const bursts = Number(process.env.BURSTS ?? 200);
const here = fileURLToPath(new URL('../src/workloads.ts', import.meta.url));
const theirs = `${base}/examples/e1000-stack/src/workloads.ts`;

/** CPU time per packet (ns) of one round. */
function cpuNs(run: Run): number {
  const c0 = process.cpuUsage();
  const n = run(BURST * bursts);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/** Median and best-round ratios new/base over `pairs` pairs of rounds, `firstPath` loaded first. */
async function series(firstPath: string, secondPath: string, newIsFirst: boolean): Promise<[number, number]> {
  const first: Workloads = await import(firstPath);
  const second: Workloads = await import(secondPath);
  const a = first.pathWorkload(what, { clock: 'real', size });
  const b = second.pathWorkload(what, { clock: 'real', size });
  for (const w of [a, b, a, b]) w.run(BURST * 2000);
  const ratios: number[] = [];
  let bestNew = Number.POSITIVE_INFINITY;
  let bestBase = Number.POSITIVE_INFINITY;
  for (let k = 0; k < pairs; k++) {
    // Alternate which of the two runs first within the pair.
    let x: number;
    let y: number;
    if (k % 2 === 0) {
      x = cpuNs(a.run);
      y = cpuNs(b.run);
    } else {
      y = cpuNs(b.run);
      x = cpuNs(a.run);
    }
    const [n, o] = newIsFirst ? [x, y] : [y, x];
    ratios.push(n / o);
    bestNew = Math.min(bestNew, n);
    bestBase = Math.min(bestBase, o);
  }
  a.rig.stop();
  b.rig.stop();
  return [median(ratios), bestNew / bestBase];
}

const order = process.env.AB_ORDER;
if (order !== undefined) {
  // One order, in this process: print the two ratios for the parent.
  const r = order === 'new-first' ? await series(here, theirs, true) : await series(theirs, here, false);
  console.log(JSON.stringify(r));
} else {
  // Each order in a process of its own (a fresh heap and JIT), then the summary.
  const script = fileURLToPath(import.meta.url);
  const one = (o: string): [number, number] => {
    const out = execFileSync(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
      env: { ...process.env, AB_ORDER: o },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop() as string);
  };
  const [m1, b1] = one('base-first');
  const [m2, b2] = one('new-first');
  const f = (v: number) => v.toFixed(3);
  console.log(
    `${what} ${size} B, CPU time new/base (median of ${pairs} pairs): base loaded first ${f(m1)}, ` +
      `new loaded first ${f(m2)}, geometric mean ${f(Math.sqrt(m1 * m2))}; best rounds ${f(Math.sqrt(b1 * b2))}`,
  );
}
