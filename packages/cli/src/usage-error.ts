/** A bad command-line argument: printed as one line (`ifnet: <message>`) and the process exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a finite number from a command-line value, or throws a {@link UsageError} naming the option. */
export function parseNumberOption(
  name: string,
  value: string,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name}: not a number: '${value}'`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`${name}: not an integer: '${value}'`);
  if (opts.min !== undefined && n < opts.min)
    throw new UsageError(`${name}: must be at least ${opts.min}, got ${value}`);
  if (opts.max !== undefined && n > opts.max)
    throw new UsageError(`${name}: must be at most ${opts.max}, got ${value}`);
  return n;
}

/**
 * A comma-separated list of names (`--models a,b`), each passed to `check` (a lookup that throws on an
 * unknown name); its error becomes a {@link UsageError} with the same message.
 */
export function parseNameList(value: string, check: (name: string) => unknown): string[] {
  const names = value.split(',').map((m) => m.trim());
  for (const m of names) {
    try {
      check(m);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return names;
}
