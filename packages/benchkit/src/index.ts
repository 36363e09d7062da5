/**
 * @ifnet/benchkit: the benchmark harness of the ifnet packages.
 *
 * A figure alone says little: "30 M ops/s" depends on the machine, the Node version, the CPU governor
 * and what else runs. So every measured case is printed next to a *reference* measured in the same run,
 * on the same machine, interleaved round by round (the plain-JavaScript way of doing the same job, for
 * example `new Uint8Array(2048)` next to an mbuf pool's get/free), and the ratio is what a README quotes.
 *
 * Method:
 * - each case is a function `fn(ops)` that performs `ops` operations in its own loop (so call overhead
 *   does not dominate) and returns a value derived from the work; the harness folds every returned value
 *   into a checksum that it prints, so the optimiser cannot delete the work as dead code;
 * - warm-up: every case runs `warmupOps` operations first (tiering up to optimised code);
 * - then `rounds` rounds; in each round every case of a group runs `ops` operations, in an order that
 *   rotates from round to round (no case always runs first, right after a GC of another);
 * - the reported rate is the median of the rounds' rates; the spread is (max - min) / 2 / median.
 *
 * Time comes from `performance.now()`, so the harness runs unchanged in browsers.
 *
 * @module
 */

/** Performs `ops` operations; returns something computed from them (it is sunk into a checksum). */
export type BenchFn = (ops: number) => unknown;

export interface BenchCase {
  name: string;
  fn: BenchFn;
}

export interface BenchOptions {
  /** Operations per measured round. Default 1,000,000. */
  ops?: number;
  /** Operations run once before measuring. Default `ops / 4`. */
  warmupOps?: number;
  /** Measured rounds (median reported). Default 7. */
  rounds?: number;
  /**
   * Time source in milliseconds. Default `performance.now()` (wall time). On a machine shared with other
   * work, a process CPU clock (in Node, from `process.cpuUsage()`) keeps the neighbours' load out of the
   * figures; name it in {@link clockName} so the table says what was measured.
   */
  clock?: () => number;
  /** What {@link clock} measures, printed in the caption (e.g. `process CPU time`). */
  clockName?: string;
  /**
   * Called once after the warm-up, before the measured rounds. In Node, pass a full collection (the
   * `collect` of `@ifnet/benchkit/node`'s heap probe): a case that allocates nothing in its steady state
   * never triggers a collection, so the objects it set up stay in V8's young generation for the whole
   * run, and every store of one of them into an older object (a buffer into a ring slot) takes the write
   * barrier's remembered-set path (measured: ~220 instructions per received datagram, about 5 % of the
   * path) — a cost a long-running process, whose long-lived objects were promoted long ago, does not pay.
   */
  settle?: () => void;
}

export interface CaseResult {
  name: string;
  isReference: boolean;
  /** Median rate over the rounds. */
  opsPerSec: number;
  /** 1e9 / opsPerSec. */
  nsPerOp: number;
  /** `opsPerSec / reference.opsPerSec` (1 for the reference): above 1 means faster than the reference. */
  ratio: number;
  /** Half the range of the per-round rates, relative to the median (0.05 = ±5 %). */
  spread: number;
  /** Rate of each round, in execution order. */
  rounds: number[];
}

export interface GroupResult {
  title: string;
  ops: number;
  rounds: number;
  /** The reference first, then the cases in the order given. */
  results: CaseResult[];
  /** {@link BenchOptions.clockName}, when a clock other than wall time was used. */
  clockName?: string;
}

let checksum = 0;

/** Folds a case's return value into the printed checksum, so its work is observable. */
export function sink(value: unknown): void {
  if (typeof value === 'number') checksum = (checksum + (value | 0)) | 0;
  else if (typeof value === 'boolean') checksum = (checksum + (value ? 1 : 0)) | 0;
  else if (value !== undefined && value !== null) checksum = (checksum + 1) | 0;
}

/** The checksum of every value sunk so far (print it; its value means nothing). */
export function sinkChecksum(): number {
  return checksum;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const wallClock = (): number => performance.now();

function runFor(fn: BenchFn, ops: number, now: () => number): number {
  const t0 = now();
  const r = fn(ops);
  const t1 = now();
  sink(r);
  const ms = t1 - t0;
  // A round faster than the timer's resolution is reported at the resolution's rate, not as Infinity.
  return (ops * 1000) / (ms > 0 ? ms : 0.001);
}

/**
 * Measures one reference and its cases together, interleaved, and returns their results (reference
 * first). All cases of a group must perform the same kind of operation for the ratio to mean anything.
 */
export function measureGroup(
  title: string,
  reference: BenchCase,
  cases: readonly BenchCase[],
  options: BenchOptions = {},
): GroupResult {
  const ops = options.ops ?? 1_000_000;
  const warmupOps = options.warmupOps ?? Math.max(1, Math.floor(ops / 4));
  const rounds = options.rounds ?? 7;
  const now = options.clock ?? wallClock;
  if (!(ops > 0) || !(rounds > 0)) throw new RangeError('benchkit: ops and rounds must be positive');
  const all = [reference, ...cases];
  for (const c of all) sink(c.fn(warmupOps));
  options.settle?.();
  const rates: number[][] = all.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < all.length; k++) {
      const i = (k + r) % all.length;
      rates[i].push(runFor(all[i].fn, ops, now));
    }
  }
  const refRate = median(rates[0]);
  const results = all.map((c, i): CaseResult => {
    const rate = median(rates[i]);
    const spread = (Math.max(...rates[i]) - Math.min(...rates[i])) / 2 / rate;
    return {
      name: c.name,
      isReference: i === 0,
      opsPerSec: rate,
      nsPerOp: 1e9 / rate,
      ratio: rate / refRate,
      spread,
      rounds: rates[i],
    };
  });
  return options.clockName === undefined
    ? { title, ops, rounds, results }
    : { title, ops, rounds, results, clockName: options.clockName };
}

/**
 * A list of groups to measure and print. Typical use:
 *
 * ```ts
 * const bench = new Bench('mbuf pool', { ops: 1e6 });
 * bench.group('alloc+free 2 KiB', { name: 'new Uint8Array(2048)', fn: refLoop }, [{ name: 'getcl+free', fn: poolLoop }]);
 * bench.run(); // prints the table
 * ```
 */
export class Bench {
  readonly title: string;
  readonly options: BenchOptions;
  private readonly groups: { title: string; reference: BenchCase; cases: BenchCase[]; options: BenchOptions }[] = [];

  constructor(title: string, options: BenchOptions = {}) {
    this.title = title;
    this.options = options;
  }

  /** Adds a group: `reference` and `cases` are measured together. `options` override the bench's. */
  group(title: string, reference: BenchCase, cases: BenchCase[], options: BenchOptions = {}): this {
    this.groups.push({ title, reference, cases, options: { ...this.options, ...options } });
    return this;
  }

  /** Measures every group, prints the table (unless `print` is false) and returns the results. */
  run(print = true): GroupResult[] {
    const results = this.groups.map((g) => measureGroup(g.title, g.reference, g.cases, g.options));
    if (print) {
      console.log(formatTable(this.title, results));
      console.log(`checksum ${sinkChecksum()} (keeps the measured work observable; ignore)`);
    }
    return results;
  }
}

/** One line saying where the figures were measured (runtime, platform), for the table's caption. */
export function environment(): string {
  const p = (globalThis as { process?: { version?: string; platform?: string; arch?: string } }).process;
  if (p?.version) return `node ${p.version}, ${p.platform} ${p.arch}`;
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return nav?.userAgent ?? 'unknown runtime';
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtNs(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function fmtRatio(r: CaseResult): string {
  return r.isReference ? '1.00 (ref)' : `${r.ratio.toFixed(2)}x`;
}

function fmtSpread(s: number): string {
  return `±${(s * 100).toFixed(1)}%`;
}

export interface FormatOptions {
  /** GitHub-flavoured Markdown table instead of aligned text. */
  markdown?: boolean;
}

/**
 * The results as a table: one block per group, the reference line first and each case next to it, with
 * columns case, ops/s, ns/op, ratio to the reference (`x` > 1: faster than the reference) and spread.
 */
export function formatTable(title: string, groups: readonly GroupResult[], options: FormatOptions = {}): string {
  const header = ['case', 'ops/s', 'ns/op', 'vs ref', 'spread'];
  const rows: string[][] = [];
  for (const g of groups) {
    rows.push([`${g.title}`, '', '', '', '']);
    for (const r of g.results) {
      rows.push([
        `${r.isReference ? 'ref: ' : ''}${r.name}`,
        fmtInt(r.opsPerSec),
        fmtNs(r.nsPerOp),
        fmtRatio(r),
        fmtSpread(r.spread),
      ]);
    }
  }
  const ops = groups.map((g) => `${g.rounds} rounds x ${fmtInt(g.ops)} ops`);
  const clocks = [...new Set(groups.map((g) => g.clockName).filter((c) => c !== undefined))];
  const caption = `${title} (${environment()}; median of ${[...new Set(ops)].join(' / ')}${clocks.length > 0 ? `; ${clocks.join(', ')}` : ''})`;
  if (options.markdown) {
    const lines = [
      caption,
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ];
    for (const row of rows) {
      lines.push(row[1] === '' ? `| **${row[0]}** | | | | |` : `| ${row.join(' | ')} |`);
    }
    return lines.join('\n');
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (i === 0 && r[1] !== '' ? 2 : 0) + r[i].length)),
  );
  const pad = (cells: string[], indent: boolean) =>
    cells
      .map((c, i) => (i === 0 ? ((indent ? '  ' : '') + c).padEnd(widths[0]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [caption, pad(header, false), '-'.repeat(widths.reduce((a, b) => a + b + 2, -2))];
  for (const row of rows) lines.push(row[1] === '' ? row[0] : pad(row, true));
  return lines.join('\n');
}
export * from './heap.js';
export * from './packet.js';
export * from './reference.js';
