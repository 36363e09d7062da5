import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../src/index.js';

describe('fuzzParameters (IFNET_FUZZ_*)', () => {
  const d = { seed: 42, numRuns: 300 };
  it('CI: the test’s own deterministic seed and run count', () => {
    expect(fuzzParameters(d, {})).toEqual({ seed: 42, numRuns: 300, path: undefined });
  });
  it('IFNET_FUZZ_RUNS: more runs with a fresh random seed', () => {
    expect(fuzzParameters(d, { IFNET_FUZZ_RUNS: '100000' })).toEqual({
      seed: undefined,
      numRuns: 100000,
      path: undefined,
    });
  });
  it('IFNET_FUZZ_SECONDS: a time budget without a run limit, not counted as failure', () => {
    expect(fuzzParameters(d, { IFNET_FUZZ_SECONDS: '30' })).toMatchObject({
      seed: undefined,
      numRuns: 2 ** 31 - 1,
      interruptAfterTimeLimit: 30_000,
      markInterruptAsFailure: false,
    });
  });
  it('IFNET_FUZZ_SEED and IFNET_FUZZ_PATH reproduce a failure', () => {
    expect(fuzzParameters(d, { IFNET_FUZZ_SEED: '-1234', IFNET_FUZZ_PATH: '3:1:0' })).toEqual({
      seed: -1234,
      numRuns: 300,
      path: '3:1:0',
    });
  });
  it('rejects garbage with a message naming the variable', () => {
    expect(() => fuzzParameters(d, { IFNET_FUZZ_RUNS: 'lots' })).toThrow(
      /IFNET_FUZZ_RUNS must be an integer >= 1, got 'lots'/,
    );
    expect(() => fuzzParameters(d, { IFNET_FUZZ_SECONDS: '0' })).toThrow(RangeError);
  });
});
