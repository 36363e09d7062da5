/**
 * `ifnet lab offload [--models a,b] [--rates r1,...] [--depths 1,4,16] [--depth-rate PPS] [--window MS]
 * [--seed N] [--switch-ns NS] [--json] [--out DIR]`: seed 002's experiment (`@ifnet/lab`) — ESP-protected UDP
 * datagrams through an e1000, IPv4, ESP and the bcm5823-like crypto card, under the interrupt-thread model
 * and the continuation model, swept across offered load; then both at one overload rate across the card's
 * queue depths. `--json` prints one object `{"clock", "context_switch_ns", "models": {"<name>":
 * [{"offered_pps", "delivered_pps", "switches_per_packet", "cpu", "latency_p50_us", "latency_p99_us",
 * ...}]}, "depth": {"offered_pps", "models": {...}}}`. Virtual clock only (costs from the cost profile).
 */
import {
  DEFAULT_CONTEXT_SWITCH_NS,
  OFFLOAD_DEPTHS,
  OFFLOAD_DEPTH_RATE,
  OFFLOAD_MODEL_NAMES,
  OFFLOAD_RATES,
  type OffloadReport,
  formatOffloadTable,
  offloadModel,
  offloadSweep,
} from '@ifnet/lab';
import type { Command } from 'commander';
import { writeOffloadPlots } from '../lab/plots.js';
import { sweepProgress } from '../lab/progress.js';
import { UsageError, parseNameList, parseNumberOption } from '../usage-error.js';

/** A comma-separated list of numbers, each checked as `parseNumberOption` checks one. */
function numberList(name: string, s: string, opts: { min?: number; integer?: boolean }): number[] {
  return s.split(',').map((x) => parseNumberOption(name, x.trim(), opts));
}

interface OffloadOptions {
  models: string;
  rates?: string;
  depths?: string;
  depthRate?: string;
  window: string;
  seed: string;
  switchNs: string;
  json?: boolean;
  out?: string;
}

export function registerLabOffload(lab: Command): void {
  lab
    .command('offload')
    .description(
      'seed 002: ESP receive through a crypto card, interrupt threads vs continuations; delivered, context switches, CPU, latency, card queue depth',
    )
    .option(
      '--models <names>',
      `comma-separated models (${OFFLOAD_MODEL_NAMES.join(', ')})`,
      OFFLOAD_MODEL_NAMES.join(','),
    )
    .option('--rates <pps>', `comma-separated offered rates, ESP datagrams/s (default ${OFFLOAD_RATES.join(',')})`)
    .option('--depths <n>', `card queue depths to compare, powers of two (default ${OFFLOAD_DEPTHS.join(',')})`)
    .option('--depth-rate <pps>', `offered rate of the queue-depth comparison (default ${OFFLOAD_DEPTH_RATE})`)
    .option('--window <ms>', 'measured window per point, ms of simulated time', '50')
    .option('--seed <n>', 'simulation seed', '1')
    .option(
      '--switch-ns <ns>',
      'price of one context switch in the interrupt-thread model',
      String(DEFAULT_CONTEXT_SWITCH_NS),
    )
    .option('--json', 'print one JSON object instead of the tables')
    .option(
      '--out <dir>',
      'write SVG plots (delivered, switches/packet, latency vs offered; delivered vs queue depth) there',
    )
    .action(async (opts: OffloadOptions) => {
      const models = parseNameList(opts.models, offloadModel);
      const windowMs = parseNumberOption('--window', opts.window, { min: 0.001 });
      const seed = parseNumberOption('--seed', opts.seed, { integer: true });
      const switchNs = parseNumberOption('--switch-ns', opts.switchNs, { min: 0 });
      const rates = opts.rates === undefined ? undefined : numberList('--rates', opts.rates, { min: 1 });
      const depths = opts.depths === undefined ? undefined : numberList('--depths', opts.depths, { integer: true });
      for (const d of depths ?? [])
        if (d < 1 || d > 1024 || (d & (d - 1)) !== 0)
          throw new UsageError(`--depths: ${d} is not a power of two from 1 to 1024`);
      const depthRate =
        opts.depthRate === undefined ? undefined : parseNumberOption('--depth-rate', opts.depthRate, { min: 1 });
      const progress = sweepProgress();
      let report: OffloadReport;
      try {
        report = offloadSweep({
          models,
          rates,
          depths,
          depthRate,
          windowMs,
          seed,
          switchNs,
          onPoint: (label, p, done, total) => progress.point(label, p.offered_pps, done, total),
        });
      } finally {
        progress.stop();
      }
      console.log(opts.json ? JSON.stringify(report) : formatOffloadTable(report));
      if (opts.out !== undefined) {
        const files = await writeOffloadPlots(report, opts.out);
        process.stderr.write(`plots: ${files.join(', ')}\n`);
      }
    });
}
