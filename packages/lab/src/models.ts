/**
 * The interrupt-handling models the lab compares, by name. Every model drives the same device (the e1000
 * model and its `wm` driver) with the same workload; a model only chooses the poll context's mitigation
 * policy (seed 000 rule 5) and the device's hardware moderation (ITR), both through public API — nothing
 * here reaches into the driver's data path.
 *
 * Implemented: `timer`, `continuation` (with socket feedback), `napi`, `continuation-no-feedback`,
 * `adaptive`. Not yet implemented here (named in issue 14): `legacy`, `batch` — see the package README.
 */
import { type MitigationPolicyFactory, adaptiveCoalescing, alwaysUnmask, rateThreshold } from '@ifnet/core';
import type { E1000Options } from '@ifnet/e1000';

/** ITR register unit (ns): the e1000 spaces interrupts at least ITR × 256 ns apart. */
const ITR_UNIT_NS = 256;

/** `InterruptThrottleRate` of Linux's e1000 in its fixed mode: 8000 interrupts/s at most. */
export const TIMER_MODEL_MAX_INTERRUPTS = 8000;

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
}

export const MODEL_NAMES = ['timer', 'continuation', 'napi', 'continuation-no-feedback', 'adaptive'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const MODELS: Record<ModelName, InterruptModel> = {
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
