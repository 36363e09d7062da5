/**
 * The conformance checks. Each builds a fresh {@link Rig}, exercises one part of the contract, and ends
 * with {@link Rig.finish} (detach, observer verdicts, pool balance), so every check also checks rule 4, the
 * bus-only rule, exception freedom and the pool. A check fails by throwing a {@link ContractViolation}.
 *
 * @module
 */
import { FAULT_CHECKS } from './checks-faults.js';
import { COALESCING_CHECK } from './checks-coalescing.js';
import { CONTRACT_CHECKS } from './checks-contract.js';
import type { Rig, RigOptions } from './rig.js';
import type { RuleId } from './rules.js';

export interface ConformanceCheck {
  /** Stable id, used in test names and by `skip`. */
  readonly id: string;
  /** What the check does, in a sentence. */
  readonly title: string;
  /** The rules it exercises (each check also applies the observers' rules). */
  readonly rules: readonly RuleId[];
  readonly rig?: RigOptions;
  run(rig: Rig): void | Promise<void>;
}

/** Every check, in the order the suite runs them. */
export const CHECKS: readonly ConformanceCheck[] = [...CONTRACT_CHECKS, COALESCING_CHECK, ...FAULT_CHECKS];
