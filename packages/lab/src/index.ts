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
  type PointTallies,
  type WindowFigures,
  livelockPoint,
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
export {
  type CalibrateOptions,
  type CalibratedProfile,
  type CalibrationNote,
  calibrate,
} from './calibrate.js';
export { parseCostProfile } from './cost-profile-file.js';
export {
  EspFrameBook,
  EspSource,
  OFFLOAD_SA,
  OFFLOAD_UDP_PAYLOAD,
  espFrameLayout,
  sharedEspFrameBook,
} from './esp-workload.js';
export {
  CONTEXT_SWITCH_LAYER,
  InterruptThreads,
  type InterruptThreadStats,
  THREAD_NAMES,
} from './interrupt-threads.js';
export {
  DEFAULT_CONTEXT_SWITCH_NS,
  OFFLOAD_MODEL_DESCRIPTIONS,
  OFFLOAD_MODEL_NAMES,
  type OffloadModelName,
  offloadCostProfile,
  offloadModel,
} from './offload-models.js';
export { type OffloadPoint, type OffloadRunOptions, runOffloadPoint } from './offload-point.js';
export {
  OFFLOAD_DEPTHS,
  OFFLOAD_DEPTH_RATE,
  OFFLOAD_RATES,
  type OffloadReport,
  type OffloadSweepOptions,
  offloadSweep,
} from './offload-sweep.js';
export { formatOffloadTable } from './offload-format.js';
export { offloadPlotSpecs } from './offload-plot-specs.js';
