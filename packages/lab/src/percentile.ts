/**
 * Nearest-rank percentile of the first `n` samples of `samples` (sorted in place). 0 when `n` is 0.
 * Used once per run, after the measured window, never on the data path.
 */
export function percentile(samples: Float64Array, n: number, p: number): number {
  if (n === 0) return 0;
  const sorted = samples.subarray(0, n).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank];
}
