/**
 * `ifnet lab livelock [--clock virtual] [--models a,b,...] [--rates r1,r2,...] [--window MS] [--seed N] [--json]
 * [--costs FILE] [--out DIR] [--trace FILE [--trace-point MODEL@RATE] [--trace-ms MS]]`:
 * the receive-livelock experiment of `@ifnet/lab` — every interrupt-handling model over the same e1000 and
 * UDP workload, swept across offered load. `--json` prints one object `{"clock", "models": {"<name>":
 * [{"offered_pps", "delivered_pps", "interrupts_per_s", "latency_p50_us", "latency_p99_us", "drops", ...}]}}`.
 *
 * `--clock real` runs the same sweep on the wall clock with traffic from a worker thread (`../lab/real-point.ts`).
 */
import {
  DEFAULT_RATES,
  type LivelockReport,
  MODEL_NAMES,
  type SweepOptions,
  formatLivelockTable,
  interruptModel,
  sweep,
} from '@ifnet/lab';
import type { Command } from 'commander';
import { loadCosts, registerCalibrate } from '../lab/calibrate-command.js';
import { writeLivelockPlots } from '../lab/plots.js';
import { sweepProgress } from '../lab/progress.js';
import { sweepReal } from '../lab/real-point.js';
import { DEFAULT_TRACE_MS, DEFAULT_TRACE_RATE, type TracePlan, planTrace, writeTrace } from '../lab/trace-file.js';
import { UsageError, parseNameList } from '../usage-error.js';
import { registerLabOffload } from './lab-offload.js';

interface LivelockOptions {
  clock: string;
  models: string;
  rates?: string;
  window: string;
  seed: string;
  json?: boolean;
  out?: string;
  trace?: string;
  costs?: string;
  tracePoint?: string;
  traceMs?: string;
}

function positiveNumbers(what: string, s: string): number[] {
  const out = s.split(',').map((x) => Number(x.trim()));
  for (const n of out)
    if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`${what}: '${s}' is not a list of positive numbers`);
  return out;
}

export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('experiments: receive livelock and interrupt mitigation, asynchronous crypto offload');
  lab
    .command('livelock')
    .description('sweep offered load across interrupt-handling models; delivered, interrupts, latency, drops, CPU')
    .option(
      '--clock <clock>',
      'virtual (deterministic, costs from the cost profile) or real (wall clock, traffic from a worker thread, real costs)',
      'virtual',
    )
    .option('--models <names>', `comma-separated models (${MODEL_NAMES.join(', ')})`, MODEL_NAMES.join(','))
    .option('--rates <pps>', `comma-separated offered rates, frames/s (default ${DEFAULT_RATES.join(',')})`)
    .option('--window <ms>', 'measured window per point, ms of simulated time', '50')
    .option('--seed <n>', 'simulation seed', '1')
    .option(
      '--costs <file>',
      'cost profile JSON for the virtual clock (from ifnet lab calibrate); default: the built-in one',
    )
    .option('--json', 'print one JSON object instead of the table')
    .option('--out <dir>', 'write SVG plots (delivered, interrupts/s, latency vs offered; one line per model) there')
    .option(
      '--trace <file>',
      'write a Chrome/Perfetto trace (trace-event JSON) of one point: open it in ui.perfetto.dev',
    )
    .option(
      '--trace-point <model@rate>',
      `the traced point (default: first model, swept rate nearest ${DEFAULT_TRACE_RATE})`,
    )
    .option('--trace-ms <ms>', 'traced window from the start of the measured window, ms', String(DEFAULT_TRACE_MS))
    .action(async (opts: LivelockOptions) => {
      if (opts.clock !== 'virtual' && opts.clock !== 'real')
        throw new UsageError(`--clock ${opts.clock}: 'virtual' or 'real'`);
      const models = parseNameList(opts.models, interruptModel);
      const [windowMs] = positiveNumbers('--window', opts.window);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed: '${opts.seed}' is not an integer`);
      const rates = opts.rates === undefined ? undefined : positiveNumbers('--rates', opts.rates);
      if (opts.costs !== undefined && opts.clock === 'real')
        throw new UsageError('--costs: the real clock uses no cost profile (its costs are real)');
      const costs = opts.costs === undefined ? undefined : loadCosts(opts.costs);
      const trace: TracePlan | undefined =
        opts.trace === undefined
          ? undefined
          : planTrace(opts.trace, opts.tracePoint, opts.traceMs, models, rates ?? DEFAULT_RATES, opts.clock);
      const progress = sweepProgress();
      let report: LivelockReport;
      try {
        const options: SweepOptions = {
          models,
          rates,
          windowMs,
          seed,
          costs,
          trace,
          onPoint: (model, p, done, total) => progress.point(model, p.offered_pps, done, total),
        };
        report =
          opts.clock === 'real'
            ? await sweepReal(options)
            : { ...sweep(options), cost_profile: opts.costs ?? 'default' };
      } finally {
        progress.stop();
      }
      console.log(opts.json ? JSON.stringify(report) : formatLivelockTable(report));
      if (opts.out !== undefined) {
        const files = await writeLivelockPlots(report, opts.out);
        process.stderr.write(`plots: ${files.join(', ')}\n`);
      }
      if (trace !== undefined) {
        const t = writeTrace(trace);
        const dropped = t.otherData.dropped ? `, ${t.otherData.dropped} dropped at the bound` : '';
        process.stderr.write(
          `trace: ${trace.file} (${trace.model} at ${trace.rate}/s, ${trace.durationMs} ms, ${t.otherData.events} events${dropped}; open in https://ui.perfetto.dev)\n`,
        );
      }
    });
  registerCalibrate(lab);
  registerLabOffload(lab);
}
