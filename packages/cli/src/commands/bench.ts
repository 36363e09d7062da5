/**
 * `ifnet bench [--json] [--quick] [--only KEY...]`: the packages' packet-path benchmarks in one process,
 * one table (or, with `--json`, one object `{"rx": {"<driver>": {"mpps", "reference_mpps", "ratio",
 * "heap_bytes_per_packet", "gc_events", ...}}, "sink": ..., "sink_1514": ...}`), each case measured next to
 * its hand-written reference in the same run, with heap bytes per packet and GC events of the measured
 * window from V8's own counters (@ifnet/benchkit).
 *
 * Under the table, the e1000's targets from the same run ({@link e1000Targets}); a case measured against a
 * second loop (the e1000 sink against the fused receive loop) has `basis`, `basis_mpps` and `basis_ratio`.
 *
 * Providers are the packages' `bench/provider.ts` modules ({@link PacketBenchProvider}); add a driver's to
 * {@link PROVIDERS}.
 */
import { type PacketBenchProvider, formatPacketReport, runPacketBenches } from '@ifnet/benchkit';
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';
import { e1000Targets, formatTargets } from './bench-targets.js';

/**
 * Every package that provides packet-path benchmarks: its provider module in the workspace (benchmarks are
 * workspace sources, outside the packages' published surfaces) and the factory it exports.
 */
const PROVIDERS: readonly { module: string; factory: string }[] = [
  { module: '../../../../drivers/e1000/bench/provider.ts', factory: 'e1000BenchProvider' },
  { module: '../../../../drivers/ne2000/bench/provider.ts', factory: 'ne2000BenchProvider' },
  { module: '../../../../drivers/ehea/bench/provider.ts', factory: 'eheaBenchProvider' },
  // rx and echo through the whole stack: inet dev-depends on e1000, so they live in the example.
  { module: '../../../../examples/e1000-stack/bench/provider.ts', factory: 'e1000StackBenchProvider' },
];

/** Loads every provider; a clear usage error outside the ifnet workspace. */
export async function benchProviders(): Promise<PacketBenchProvider[]> {
  const out: PacketBenchProvider[] = [];
  for (const p of PROVIDERS) {
    let mod: Record<string, () => PacketBenchProvider>;
    try {
      mod = await import(new URL(p.module, import.meta.url).href);
    } catch (err) {
      throw new UsageError(`bench: ${p.module} not found (ifnet bench runs inside the ifnet workspace): ${err}`);
    }
    out.push(mod[p.factory]());
  }
  return out;
}

interface BenchCommandOptions {
  json?: boolean;
  quick?: boolean;
  only?: string[];
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('packet-path benchmarks of every package, each next to a hand-written reference (real clock)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quick', 'fewer rounds and packets (a smoke run; figures are noisier)')
    .option('--only <keys...>', 'only paths whose key starts with one of these (rx, sink, echo, sink_1514, ...)')
    .action(async (opts: BenchCommandOptions) => {
      const report = await runPacketBenches(await benchProviders(), {
        probe: nodeHeapProbe(),
        quick: opts.quick ?? false,
        only: opts.only,
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else console.log([formatPacketReport(report), formatTargets(e1000Targets(report))].join('\n\n').trimEnd());
    });
}
