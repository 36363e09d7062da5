/**
 * The offered-load sweep of `ifnet lab livelock`: every model at every rate, each point a fresh host (no
 * state carried between points), on the virtual clock.
 */
import { type InterruptModel, type ModelName, interruptModel } from './models.js';
import { type LivelockPoint, type RunOptions, type TraceWindow, runPoint } from './run-point.js';

/**
 * Default offered rates (frames/s): from well below the default cost profile's capacity (about 240,000
 * datagrams/s reach the application) to 1 Gb/s line rate for 60-byte frames, 1,488,095/s — over 6x the
 * capacity; 2,500,000/s (over 10x) is beyond what one 1 Gb/s port can carry but what the NIC model
 * accepts from a source attached directly.
 */
export const DEFAULT_RATES: readonly number[] = [
  10_000, 50_000, 100_000, 200_000, 350_000, 500_000, 800_000, 1_488_095, 2_500_000,
];

export interface SweepOptions extends Omit<RunOptions, 'trace'> {
  models: readonly string[];
  rates?: readonly number[];
  /** Trace one point: the `model` at offered `rate` (one of {@link rates}). */
  trace?: TraceWindow & { model: string; rate: number };
  /** Called after each point (for a progress bar or plain progress lines). */
  onPoint?: (model: ModelName, point: LivelockPoint, done: number, total: number) => void;
}

/** The JSON object `ifnet lab livelock --json` prints. */
export interface LivelockReport {
  /** `virtual`: costs from the cost profile, deterministic; `real`: wall clock, real costs. */
  clock: 'virtual' | 'real';
  seed: number;
  window_ms: number;
  /** Which cost profile the virtual clock used (`default`, or the file given); absent on the real clock. */
  cost_profile?: string;
  models: Record<string, LivelockPoint[]>;
}

/** One point a sweep asks for: the model, the rate, and the options for that run (its trace, if chosen). */
export interface SweepStep {
  model: InterruptModel;
  rate: number;
  options: RunOptions;
}

/**
 * The sweep's order and bookkeeping, for any point runner: yields each point to run (every model at every
 * rate, the chosen one with its trace) and takes its result back through `next(point)`; returns the report.
 * {@link sweep} drives it with the virtual-clock {@link runPoint}; the real clock's runner (`@ifnet/cli`),
 * which awaits wall time, drives the same steps.
 */
export function* sweepSteps(
  options: SweepOptions,
  clock: LivelockReport['clock'],
): Generator<SweepStep, LivelockReport, LivelockPoint> {
  const models = options.models.map(interruptModel); // validates every name before any work
  const rates = options.rates ?? DEFAULT_RATES;
  const total = models.length * rates.length;
  const out: Record<string, LivelockPoint[]> = {};
  let done = 0;
  for (const model of models) {
    const rows: LivelockPoint[] = [];
    for (const rate of rates) {
      const t = options.trace;
      const traced = t !== undefined && t.model === model.name && t.rate === rate;
      const p = yield { model, rate, options: { ...options, trace: traced ? t : undefined } };
      rows.push(p);
      options.onPoint?.(model.name, p, ++done, total);
    }
    out[model.name] = rows;
  }
  return { clock, seed: options.seed ?? 1, window_ms: options.windowMs ?? 50, models: out };
}

/** The sweep on the virtual clock (deterministic). */
export function sweep(options: SweepOptions): LivelockReport {
  const steps = sweepSteps(options, 'virtual');
  let r = steps.next();
  while (!r.done) r = steps.next(runPoint(r.value.model, r.value.rate, r.value.options));
  return r.value;
}
