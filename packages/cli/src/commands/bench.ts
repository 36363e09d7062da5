/**
 * `ifnet bench [--json] [--quick] [--only KEY...]`: the packages' packet-path benchmarks in one process,
 * one table (or, with `--json`, one object `{"rx": {"<driver>": {"mpps", "reference_mpps", "ratio",
 * "heap_bytes_per_packet", "gc_events", ...}}, "sink": ..., "sink_1514": ...}`), each case measured next to
 * its hand-written reference in the same run, with heap bytes per packet and GC events of the measured
 * window from V8's own counters (@ifnet/benchkit).
 *
 * Providers are the packages' `./bench` exports ({@link PacketBenchProvider}); add a driver's here.
 */
import { type PacketBenchProvider, formatPacketReport, runPacketBenches } from '@ifnet/benchkit';
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import { e1000BenchProvider } from '@ifnet/e1000/bench';
import type { Command } from 'commander';

/** Every package that provides packet-path benchmarks. */
export function benchProviders(): PacketBenchProvider[] {
  return [e1000BenchProvider()];
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
      const report = await runPacketBenches(benchProviders(), {
        probe: nodeHeapProbe(),
        quick: opts.quick ?? false,
        only: opts.only,
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else console.log(formatPacketReport(report));
    });
}
