/**
 * `@ifnet/lab`: the receive-livelock lab (issue 14). Platform-neutral: interrupt-handling models over the
 * e1000, one workload, the offered-load sweep and its metrics. Node-only parts (the command, file output)
 * live in `@ifnet/cli`.
 *
 * @module
 */
export {
  MAX_INTERRUPT_WORK,
  MODEL_NAMES,
  type InterruptModel,
  type ModelName,
  type TopHalf,
  interruptModel,
} from './models.js';
export { COPY_LAYER, COPY_NOBUFS, LegacyInput, type LegacyInputStats } from './legacy-input.js';
export { LATENCY_SAMPLES, type LivelockPoint, type RunOptions, type TraceWindow, runPoint } from './run-point.js';
export { type LabHost, type LabHostOptions, SINK_RECEIVE_QUEUE, createLabHost } from './lab-host.js';
export {
  type PointCounters,
  type WindowFigures,
  mbufsBalanced,
  readCounters,
  softwareDropsSinceBoot,
  windowFigures,
} from './point-counters.js';
export {
  type ChromeTrace,
  TRACE_MAX_EVENTS,
  type TraceEvent,
  TraceRecorder,
  type TraceRecorderOptions,
} from './trace-recorder.js';
export { checkChromeTrace } from './trace-check.js';
export { DEFAULT_RATES, type LivelockReport, type SweepOptions, type SweepStep, sweep, sweepSteps } from './sweep.js';
export { LevelTimeTracer, teeTracer } from './level-time.js';
export { percentile } from './percentile.js';
export { UDP_FRAME_SEQ_OFFSET, udpFrame } from './udp-frame.js';
export { formatLivelockTable } from './format.js';
export { type DemoOptions, type DemoReport, NETSTAT_HEADER, type PingResult, netstatLine, runDemo } from './demo.js';
export { type PlotSpec, livelockPlotSpecs } from './plot-specs.js';
