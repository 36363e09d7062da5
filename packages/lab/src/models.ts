/**
 * The interrupt-handling models the lab compares, by name. Every model drives the same device (the e1000
 * model and its `wm` driver) with the same workload; a model only chooses the poll context's mitigation
 * policy (seed 000 rule 5) and the device's hardware moderation (ITR), both through public API — nothing
 * here reaches into the driver's data path.
 *
 * The classic models, `legacy` and `batch`, also receive in the interrupt routine (core's interrupt-work
 * mode) and queue IPv4 on `ipintrq` for a soft interrupt ({@link TopHalf}, `legacy-input.ts`).
 *
 * Implemented: every model issue 14 names — `legacy`, `batch`, `timer`, `continuation` (with socket
 * feedback), `napi`, `adaptive` — and `continuation-no-feedback`, to measure what the feedback buys.
 */
import {
  type InterruptWorkOptions,
  type MitigationPolicyFactory,
  adaptiveCoalescing,
  alwaysUnmask,
  rateThreshold,
} from '@ifnet/core';
import type { E1000Options } from '@ifnet/e1000';

/** ITR register unit (ns): the e1000 spaces interrupts at least ITR × 256 ns apart. */
const ITR_UNIT_NS = 256;

/** `InterruptThrottleRate` of Linux's e1000 in its fixed mode: 8000 interrupts/s at most. */
export const TIMER_MODEL_MAX_INTERRUPTS = 8000;

/** 3c59x's default `max_interrupt_work`: frames one interrupt may take before it leaves the rest for a timer. */
export const MAX_INTERRUPT_WORK = 32;

/**
 * The classic receive structure (seed 004's top and bottom halves): the driver receives in its interrupt
 * routine (core's `PollContext.setInterruptWork`), the top half copies each IPv4 packet into a fresh
 * buffer and appends it to `ipintrq`, and a soft interrupt runs IPv4 and UDP.
 */
export interface TopHalf extends InterruptWorkOptions {
  /** `ipintrq`'s `ifq_maxlen` (BSD's `IFQ_MAXLEN`, 50). */
  readonly ipintrqLength: number;
}

export interface InterruptModel {
  readonly name: ModelName;
  /** One sentence: what the model does, with its BSD/Linux ancestor. */
  readonly description: string;
  /** Mitigation policy of the e1000's poll context. */
  readonly policy: MitigationPolicyFactory;
  /** Driver tunables (hardware moderation). */
  readonly e1000: E1000Options;
  /** Feedback from the socket's full receive queue to input processing (`inputFeedback`). */
  readonly feedback: boolean;
  /** Receive in the interrupt routine and queue on `ipintrq` (the classic models); absent: seed 000's path. */
  readonly topHalf?: TopHalf;
}

export const MODEL_NAMES = [
  'legacy',
  'batch',
  'timer',
  'continuation',
  'napi',
  'adaptive',
  'continuation-no-feedback',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const MODELS: Record<ModelName, InterruptModel> = {
  legacy: {
    name: 'legacy',
    description:
      'an interrupt per frame: the top half copies the frame into a fresh buffer and appends it to ipintrq (50); the soft interrupt runs IPv4/UDP, preempted by every interrupt (4.4BSD, Mogul & Ramakrishnan)',
    policy: alwaysUnmask,
    e1000: {},
    feedback: false,
    topHalf: { maxWork: 1, whenExhausted: 'reinterrupt', ipintrqLength: 50 },
  },
  batch: {
    name: 'batch',
    description: `several frames per interrupt, at most max_interrupt_work (${MAX_INTERRUPT_WORK}); the rest is left for a timer that re-enables the interrupt on the next tick (3c59x vortex_interrupt); ipintrq as legacy`,
    policy: alwaysUnmask,
    e1000: {},
    feedback: false,
    topHalf: { maxWork: MAX_INTERRUPT_WORK, whenExhausted: 'timer', timerTicks: 1, ipintrqLength: 50 },
  },
  timer: {
    name: 'timer',
    description:
      'device moderation only: the e1000 spaces its interrupts by ITR (8000/s), each poll always unmasks (e1000 InterruptThrottleRate=8000)',
    policy: alwaysUnmask,
    feedback: false,
    e1000: { itr: Math.round(1e9 / TIMER_MODEL_MAX_INTERRUPTS / ITR_UNIT_NS) },
  },
  continuation: {
    name: 'continuation',
    description:
      'seed 000: interrupt → mask → defer → budgeted poll → unmask, or stay masked and poll on the tick when interrupting too often; a full socket holds input (Mogul feedback)',
    policy: rateThreshold(),
    e1000: {},
    feedback: true,
  },
  'continuation-no-feedback': {
    name: 'continuation-no-feedback',
    description: 'continuation without the socket feedback: to measure what the feedback buys',
    policy: rateThreshold(),
    e1000: {},
    feedback: false,
  },
  adaptive: {
    name: 'adaptive',
    description:
      'interrupts at low load, ITR moderation at high load: core adaptiveCoalescing() sets the queue rx-usecs from the measured rate (Linux e1000 dynamic ITR ranges), a full socket holds input',
    policy: adaptiveCoalescing(),
    e1000: {},
    feedback: true,
  },
  napi: {
    name: 'napi',
    description: 'budgeted polling that always re-enables the interrupt when a round completes (NAPI without deferral)',
    policy: alwaysUnmask,
    e1000: {},
    feedback: false,
  },
};

/** The model called `name`; throws a RangeError naming the known models otherwise. */
export function interruptModel(name: string): InterruptModel {
  const m = (MODELS as Record<string, InterruptModel | undefined>)[name];
  if (!m) throw new RangeError(`unknown model '${name}' (known: ${MODEL_NAMES.join(', ')})`);
  return m;
}
