/**
 * The sweeps of `ifnet lab offload`: both models across offered load at the card's default queue depth,
 * then both models at one overload rate across queue depths 1, 4 and 16. Every point is a fresh host.
 */
import { type OffloadPoint, type OffloadRunOptions, runOffloadPoint } from './offload-point.js';
import { DEFAULT_CONTEXT_SWITCH_NS, OFFLOAD_MODEL_NAMES, offloadCostProfile, offloadModel } from './offload-models.js';

/**
 * Default offered rates (ESP datagrams/s): from well below both models' capacity to about 2.5x the
 * continuation model's (about 200,000/s with the default profile and card) and 5x the thread model's.
 */
export const OFFLOAD_RATES: readonly number[] = [
  10_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000, 500_000,
];
/** Card queue depths compared (the bcm5823 has 4). */
export const OFFLOAD_DEPTHS: readonly number[] = [1, 4, 16];
/** Offered rate of the queue-depth comparison: beyond what either model can take, so the card's depth shows. */
export const OFFLOAD_DEPTH_RATE = 300_000;

export interface OffloadSweepOptions extends Omit<OffloadRunOptions, 'queueDepth' | 'costs'> {
  models?: readonly string[];
  rates?: readonly number[];
  depths?: readonly number[];
  depthRate?: number;
  /** Price of a context switch (ns). Default {@link DEFAULT_CONTEXT_SWITCH_NS}. */
  switchNs?: number;
  /** Called after each point (progress bar or plain lines). */
  onPoint?: (label: string, point: OffloadPoint, done: number, total: number) => void;
}

/** The JSON object `ifnet lab offload --json` prints. */
export interface OffloadReport {
  clock: 'virtual';
  seed: number;
  window_ms: number;
  context_switch_ns: number;
  /** By model: one point per offered rate, card queue depth 4. */
  models: Record<string, OffloadPoint[]>;
  /** Card queue depth against throughput: by model, one point per depth, all at `offered_pps`. */
  depth: { offered_pps: number; models: Record<string, OffloadPoint[]> };
}

export function offloadSweep(options: OffloadSweepOptions = {}): OffloadReport {
  const models = (options.models ?? OFFLOAD_MODEL_NAMES).map(offloadModel); // validates before any work
  const rates = options.rates ?? OFFLOAD_RATES;
  const depths = options.depths ?? OFFLOAD_DEPTHS;
  const depthRate = options.depthRate ?? OFFLOAD_DEPTH_RATE;
  const switchNs = options.switchNs ?? DEFAULT_CONTEXT_SWITCH_NS;
  const run: OffloadRunOptions = { ...options, costs: offloadCostProfile(switchNs) };
  const total = models.length * (rates.length + depths.length);
  let done = 0;
  const byRate: Record<string, OffloadPoint[]> = {};
  const byDepth: Record<string, OffloadPoint[]> = {};
  for (const m of models) {
    byRate[m] = [];
    for (const rate of rates) {
      const p = runOffloadPoint(m, rate, run); // the card's default queue depth (4)
      byRate[m].push(p);
      options.onPoint?.(m, p, ++done, total);
    }
  }
  for (const m of models) {
    byDepth[m] = [];
    for (const depth of depths) {
      const p = runOffloadPoint(m, depthRate, { ...run, queueDepth: depth });
      byDepth[m].push(p);
      options.onPoint?.(`${m} depth ${depth}`, p, ++done, total);
    }
  }
  return {
    clock: 'virtual',
    seed: options.seed ?? 1,
    window_ms: options.windowMs ?? 50,
    context_switch_ns: switchNs,
    models: byRate,
    depth: { offered_pps: depthRate, models: byDepth },
  };
}
