/**
 * `ifnet lab livelock --trace FILE [--trace-point MODEL@RATE] [--trace-ms MS]`: which point of the sweep is
 * traced, and writing its Chrome / Perfetto trace-event JSON (`@ifnet/lab`'s {@link TraceRecorder}).
 *
 * The file stays bounded: one point (default: the first model, at the swept rate nearest 350,000 frames/s,
 * seed 002's reference load), the first `--trace-ms` (default 5) of its measured window, and at most
 * {@link TRACE_MAX_EVENTS} events.
 */
import { writeFileSync } from 'node:fs';
import { type ChromeTrace, TRACE_MAX_EVENTS, TraceRecorder, checkChromeTrace } from '@ifnet/lab';
import { UsageError } from '../usage-error.js';

/** Default traced rate: the swept rate nearest this. */
export const DEFAULT_TRACE_RATE = 350_000;
/** Default traced window (ms from the start of the measured window). */
export const DEFAULT_TRACE_MS = 5;

export interface TracePlan {
  file: string;
  model: string;
  rate: number;
  durationMs: number;
  recorder: TraceRecorder;
}

/** Resolves the traced point from the options; a usage error when it is not in the sweep. */
export function planTrace(
  file: string,
  point: string | undefined,
  traceMs: string | undefined,
  models: readonly string[],
  rates: readonly number[],
  clock: string,
): TracePlan {
  let model = models[0];
  let rate = rates.reduce((a, b) => (Math.abs(b - DEFAULT_TRACE_RATE) < Math.abs(a - DEFAULT_TRACE_RATE) ? b : a));
  if (point !== undefined) {
    const m = /^([^@]+)@(\d+(?:\.\d+)?)$/.exec(point.trim());
    if (m === null) throw new UsageError(`--trace-point: '${point}' is not MODEL@RATE`);
    model = m[1];
    rate = Number(m[2]);
    if (!models.includes(model)) throw new UsageError(`--trace-point: model '${model}' is not in --models`);
    if (!rates.includes(rate)) throw new UsageError(`--trace-point: rate ${rate} is not one of the swept rates`);
  }
  const durationMs = traceMs === undefined ? DEFAULT_TRACE_MS : Number(traceMs);
  if (!(durationMs > 0 && Number.isFinite(durationMs)))
    throw new UsageError(`--trace-ms: '${traceMs}' is not a positive number`);
  const recorder = new TraceRecorder({
    host: `dut (${model} @ ${rate}/s)`,
    maxEvents: TRACE_MAX_EVENTS,
    about: { model, offered_pps: rate, window_ms: durationMs, clock },
  });
  return { file, model, rate, durationMs, recorder };
}

/** Writes the trace (checked first: a malformed trace is a bug, not a file to hand to Perfetto). */
export function writeTrace(plan: TracePlan): ChromeTrace {
  const trace = plan.recorder.finish();
  const problems = checkChromeTrace(trace);
  if (problems.length > 0) throw new Error(`trace: malformed (${problems.join('; ')})`);
  writeFileSync(plan.file, JSON.stringify(trace));
  return trace;
}
