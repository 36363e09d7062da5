#!/usr/bin/env node
/**
 * `pnpm fuzz`: runs every property/fuzz suite of the monorepo (the test files that call core's
 * `fuzzParameters`) for longer than CI does, with fresh random seeds unless one is given.
 *
 *   pnpm fuzz                          60 s per property, random seeds
 *   pnpm fuzz --seconds 600            ten minutes per property
 *   pnpm fuzz --runs 100000            a run count instead of a time
 *   pnpm fuzz --seed 1234 [--path P]   reproduce a failure (fast-check prints seed and path)
 *   pnpm fuzz -- -t "ARP"              extra arguments after `--` go to vitest (a test-name filter here)
 *
 * The same settings can be given as IFNET_FUZZ_SECONDS / IFNET_FUZZ_RUNS / IFNET_FUZZ_SEED /
 * IFNET_FUZZ_PATH. CI does not run this: `pnpm test` keeps each suite's fixed seed and run count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const env = { ...process.env };
const vitestArgs = [];
const flags = {
  '--seconds': 'IFNET_FUZZ_SECONDS',
  '--runs': 'IFNET_FUZZ_RUNS',
  '--seed': 'IFNET_FUZZ_SEED',
  '--path': 'IFNET_FUZZ_PATH',
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') {
    vitestArgs.push(...argv.slice(i + 1));
    break;
  }
  if (!(a in flags) || argv[i + 1] === undefined) {
    console.error(
      `pnpm fuzz: unknown argument '${a}' (use --seconds N, --runs N, --seed S, --path P, -- <vitest args>)`,
    );
    process.exit(2);
  }
  env[flags[a]] = argv[++i];
}
if (env.IFNET_FUZZ_RUNS === undefined && env.IFNET_FUZZ_SECONDS === undefined && env.IFNET_FUZZ_SEED === undefined) {
  env.IFNET_FUZZ_SECONDS = '60';
}

/** Test files that use the shared fuzz settings: those are the property/fuzz suites. */
function fuzzSuites() {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir)) {
      if (e === 'node_modules' || e === 'dist') continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.test.ts') && readFileSync(p, 'utf8').includes('fuzzParameters('))
        found.push(relative(root, p));
    }
  };
  for (const group of ['packages', 'drivers', 'examples']) if (existsSync(join(root, group))) walk(join(root, group));
  return found.sort();
}

const suites = fuzzSuites();
const seconds = Number(env.IFNET_FUZZ_SECONDS ?? 0);
// Each test may hold several properties, each running up to `seconds`: leave vitest's timeout far behind.
const timeout = Math.max(60_000, seconds * 1000 * 10 + 60_000);
console.log(
  `pnpm fuzz: ${suites.length} suites; ` +
    ['IFNET_FUZZ_SECONDS', 'IFNET_FUZZ_RUNS', 'IFNET_FUZZ_SEED', 'IFNET_FUZZ_PATH']
      .filter((k) => env[k] !== undefined)
      .map((k) => `${k}=${env[k]}`)
      .join(' '),
);
const run = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', `--testTimeout=${timeout}`, `--hookTimeout=${timeout}`, ...suites, ...vitestArgs],
  { stdio: 'inherit', env, cwd: root },
);
process.exit(run.status ?? 1);
