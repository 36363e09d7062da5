/**
 * `ifnet lab calibrate [--out FILE] [--rounds N] [--ops N] [--clock cpu|wall]`: measures this machine's
 * per-operation costs (`@ifnet/lab`'s {@link calibrate}) and writes the cost-profile JSON that
 * `ifnet lab livelock --costs FILE` reads; a table of the figures goes to stderr.
 *
 * The default clock is this process's CPU time (`process.cpuUsage()`): on a machine shared with other work,
 * wall time counts the time other processes had the core. The provenance records the machine, the date,
 * the load average and the core count.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { type CostProfile, DEFAULT_COST_PROFILE } from '@ifnet/core';
import { type CalibratedProfile, calibrate, parseCostProfile } from '@ifnet/lab';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

interface CalibrateCliOptions {
  out?: string;
  rounds: string;
  ops: string;
  clock: string;
}

function positiveInteger(what: string, s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: '${s}' is not a positive integer`);
  return n;
}

/** Process CPU time in ms (user + system). */
const cpuTimeMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The profile and its provenance as a table: one line per figure, next to the default profile's. */
export function formatCalibration(c: CalibratedProfile): string {
  const lines = [`${c.provenance.tool}: ${c.provenance.machine}, ${c.provenance.load ?? ''}`, ''];
  lines.push('figure              default ns  measured ns  how       spread');
  for (const [key, n] of Object.entries(c.provenance.notes)) {
    const def = key.startsWith('layer.')
      ? DEFAULT_COST_PROFILE.layer[key.slice(6)]
      : DEFAULT_COST_PROFILE[key as keyof Omit<CostProfile, 'layer'>];
    const spread = n.spread === undefined ? '' : `±${(n.spread * 100).toFixed(0)}%`;
    lines.push(
      `${key.padEnd(18)} ${String(def).padStart(11)} ${n.ns.toFixed(1).padStart(12)}  ${n.how.padEnd(8)}  ${spread}`,
    );
  }
  return lines.join('\n');
}

export function registerCalibrate(lab: Command): void {
  lab
    .command('calibrate')
    .description("measure this machine's per-operation costs and write a cost profile (for lab livelock --costs)")
    .option('--out <file>', 'write the profile JSON there (default: stdout)')
    .option('--rounds <n>', 'rounds per figure (median reported)', '7')
    .option('--ops <n>', 'packets per round (primitives: 16x that)', '64000')
    .option('--clock <clock>', 'cpu (this process, default: steady on a shared machine) or wall', 'cpu')
    .action((opts: CalibrateCliOptions) => {
      const rounds = positiveInteger('--rounds', opts.rounds);
      const ops = positiveInteger('--ops', opts.ops);
      if (opts.clock !== 'cpu' && opts.clock !== 'wall') throw new UsageError(`--clock ${opts.clock}: 'cpu' or 'wall'`);
      const c =
        opts.clock === 'cpu'
          ? calibrate({ rounds, ops, clock: cpuTimeMs, clockName: 'process CPU time' })
          : calibrate({ rounds, ops, clockName: 'wall clock' });
      const [l1, l5] = loadavg();
      c.provenance.load = `load average ${l1.toFixed(2)} / ${l5.toFixed(2)} (1 / 5 min) on ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`;
      const json = `${JSON.stringify(c, null, 2)}\n`;
      if (opts.out === undefined) process.stdout.write(json);
      else writeFileSync(opts.out, json);
      process.stderr.write(`${formatCalibration(c)}\n${opts.out === undefined ? '' : `profile: ${opts.out}\n`}`);
    });
}

/** `--costs FILE`: the profile in the file, or a usage error saying what is wrong with it. */
export function loadCosts(file: string): CostProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--costs ${file}: ${(e as Error).message}`);
  }
  try {
    return parseCostProfile(JSON.parse(text));
  } catch (e) {
    throw new UsageError(`--costs ${file}: ${(e as Error).message}`);
  }
}
