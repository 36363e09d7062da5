/**
 * One place where every property/fuzz suite of the monorepo (core, ether, inet, drivers) reads how hard
 * to fuzz. CI runs each suite with the fixed seed and run count written in the test; `pnpm fuzz` (root)
 * sets environment variables that turn the same suites into a long fuzzing session:
 *
 * | variable             | effect                                                                          |
 * | -------------------- | ------------------------------------------------------------------------------- |
 * | `IFNET_FUZZ_RUNS`    | runs per property (instead of the test's own count)                             |
 * | `IFNET_FUZZ_SECONDS` | time per property: run until this many seconds have passed (no run limit)      |
 * | `IFNET_FUZZ_SEED`    | seed for every property (reproduce a failure); without it fuzzing seeds randomly |
 * | `IFNET_FUZZ_PATH`    | fast-check's `path` of a failure: replay exactly the shrunk counterexample       |
 *
 * The result is a plain object to spread into fast-check's `fc.assert(property, params)`; core does not
 * depend on fast-check. The environment is read from `globalThis.process?.env` when there is one (Node,
 * vitest), so this file runs in a browser too (with the test's defaults).
 *
 * @module
 */

/** The parameters a property test passes to `fc.assert` (a subset of fast-check's `Parameters`). */
export interface FuzzParameters {
  /** Fixed seed, or undefined for a fresh random one (fast-check prints it on failure). */
  seed?: number;
  numRuns: number;
  path?: string;
  /** With `IFNET_FUZZ_SECONDS`: stop generating after this many ms ... */
  interruptAfterTimeLimit?: number;
  /** ... and do not count that stop as a failure. */
  markInterruptAsFailure?: boolean;
}

export type FuzzEnv = Readonly<Record<string, string | undefined>>;

function processEnv(): FuzzEnv {
  const p = (globalThis as { process?: { env?: FuzzEnv } }).process;
  return p?.env ?? {};
}

function intVar(env: FuzzEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

/**
 * The fast-check parameters for one property: `defaults` (the deterministic CI run written in the test)
 * unless the `IFNET_FUZZ_*` variables ask for more. `env` defaults to the process environment.
 */
export function fuzzParameters(
  defaults: { seed: number; numRuns: number },
  env: FuzzEnv = processEnv(),
): FuzzParameters {
  const runs = intVar(env, 'IFNET_FUZZ_RUNS', 1);
  const seconds = intVar(env, 'IFNET_FUZZ_SECONDS', 1);
  const seed = intVar(env, 'IFNET_FUZZ_SEED', -0x80000000);
  const path = env.IFNET_FUZZ_PATH || undefined;
  if (runs === undefined && seconds === undefined && seed === undefined) return { ...defaults, path };
  const params: FuzzParameters = {
    seed,
    numRuns: runs ?? (seconds !== undefined ? 2 ** 31 - 1 : defaults.numRuns),
    path,
  };
  if (seconds !== undefined) {
    params.interruptAfterTimeLimit = seconds * 1000;
    params.markInterruptAsFailure = false;
  }
  return params;
}
