/**
 * Running the checks: as functions returning verdicts ({@link runConformance}, {@link runCheck}), which is
 * what the kit's own tests use to prove that broken drivers fail with the right message, and as a vitest
 * suite ({@link describeDriverConformance} in `describe.ts`).
 *
 * @module
 */
import { CHECKS, type ConformanceCheck } from './checks.js';
import { Rig, describeError } from './rig.js';
import { ContractViolation, type RuleId } from './rules.js';
import type { DriverSubject } from './subject.js';

/** The outcome of one check. */
export interface Verdict {
  check: string;
  ok: boolean;
  /** The rule that failed. */
  rule?: RuleId;
  /** What failed and why, for the driver's author. */
  message?: string;
}

/**
 * Runs one check against a fresh rig. When the observers recorded a violation (an allocation in interrupt
 * context, a poll that threw, the model used outside the bus, ...) that one is reported: it is the cause,
 * and whatever else failed is its consequence.
 */
export async function runCheck(subject: DriverSubject, check: ConformanceCheck): Promise<Verdict> {
  let rig: Rig | undefined;
  try {
    rig = new Rig(subject, check.rig);
    await check.run(rig);
    await rig.finish();
    return { check: check.id, ok: true };
  } catch (e) {
    let primary: ContractViolation | undefined;
    if (rig !== undefined) {
      try {
        rig.checkObservations();
      } catch (o) {
        if (o instanceof ContractViolation) primary = o;
      }
    }
    if (primary === undefined && e instanceof ContractViolation) primary = e;
    if (primary === undefined) {
      return {
        check: check.id,
        ok: false,
        rule: 'no-exception',
        message: `contract rule 'no-exception' failed: the check '${check.id}' stopped on an exception: ${describeError(e)}`,
      };
    }
    const also =
      e !== primary && !(e instanceof Error && e.message === primary.message)
        ? ` (consequence: ${e instanceof Error ? e.message : String(e)})`
        : '';
    return { check: check.id, ok: false, rule: primary.rule, message: primary.message + also };
  }
}

export interface RunOptions {
  setup(): DriverSubject | Promise<DriverSubject>;
  teardown?(): void | Promise<void>;
  /** Run only these checks (ids). */
  only?: readonly string[];
}

/** Runs the checks (all, or `only`) and returns their verdicts; never throws for a failed check. */
export async function runConformance(options: RunOptions): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const check of CHECKS) {
    if (options.only !== undefined && !options.only.includes(check.id)) continue;
    const subject = await options.setup();
    try {
      out.push(await runCheck(subject, check));
    } finally {
      await options.teardown?.();
    }
  }
  return out;
}
