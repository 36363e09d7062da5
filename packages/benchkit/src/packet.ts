/**
 * Packet-path benchmarks that packages provide and one runner (`ifnet bench`, a package's `pnpm bench`)
 * measures together: the provider interface, the runner and the report.
 *
 * A driver or protocol package provides a {@link PacketBenchProvider} (by convention from
 * `bench/provider.ts`, outside its published entry points, so its surface stays free of benchmark code). Each of its {@link PacketBenchCase}s is a path
 * measured in packets — `rx` (device → driver → `if_input` → IPv4 → UDP → socket), `sink` (device →
 * driver → Ethernet → a protocol that frees), `echo` (both ways), at a frame length — next to a
 * hand-written reference doing the same work as fast as plain JavaScript can. The runner measures the
 * rate of both, interleaved, and the heap bytes per packet and GC events of the case (through an injected
 * {@link HeapProbe}; without one those two are reported as null).
 *
 * @module
 */
import { type HeapProbe, measureHeap } from './heap.js';
import { type BenchCase, type BenchFn, environment, measureGroup } from './index.js';

/** One packet path of a provider, next to its reference. */
export interface PacketBenchCase {
  /** Report key of the path: `rx`, `sink`, `echo`, ... (frame lengths other than 60 get `_<len>` appended). */
  readonly key: string;
  /** Frame length in bytes. */
  readonly frameLen: number;
  /** What is measured, for the table. */
  readonly name: string;
  /** Moves `ops` packets through the path; returns a value derived from the work (packets delivered). */
  readonly run: BenchFn;
  /** The reference: the same work hand-written as one fused loop. */
  readonly reference: BenchCase;
  /** Packets per measured round (default 200,000; fewer for big frames). */
  readonly ops?: number;
  /**
   * A second reference, measured interleaved in the same rounds, when a target for this path is stated
   * against another loop than the one doing the same work — the e1000 sink's target is a ratio of the
   * fused receive loop (copy, Ethernet, IPv4 checksum, UDP demux), its `reference` a lighter copy-and-parse
   * loop. Reported as `basis`, `basis_mpps`, `basis_ratio`.
   */
  readonly basis?: BenchCase;
}

/** What a package exports for `ifnet bench`. */
export interface PacketBenchProvider {
  /** Report name of the provider (the driver: `e1000`). */
  readonly name: string;
  /** Builds the cases (rigs, hosts) when the runner asks; `quick` asks for fewer or shorter ones. */
  cases(options: { quick: boolean }): PacketBenchCase[];
  /** Releases what {@link cases} built (stops real-time runners). */
  dispose?(): void;
}

/** One line of the report (snake_case: it is the `--json` output). */
export interface PacketBenchResult {
  mpps: number;
  reference_mpps: number;
  ratio: number;
  ns_per_packet: number;
  heap_bytes_per_packet: number | null;
  gc_events: number | null;
  frame_len: number;
  case: string;
  reference: string;
  /** Name of the case's {@link PacketBenchCase.basis}, when it has one. */
  basis?: string;
  /** The basis's rate, measured interleaved with the case and its reference. */
  basis_mpps?: number;
  /** `mpps / basis_mpps`: the ratio a target stated against the basis reads. */
  basis_ratio?: number;
}

/** `{ rx: { e1000: {...} }, sink_1514: { e1000: {...} }, ... }`: path key → provider name → result. */
export type PacketBenchReport = Record<string, Record<string, PacketBenchResult>>;

export interface PacketBenchOptions {
  /** Runtime probe for heap and GC figures (`nodeHeapProbe()` from `@ifnet/benchkit/node`). */
  probe?: HeapProbe;
  /** Fewer rounds and packets (a smoke run). */
  quick?: boolean;
  /** Only cases whose key starts with one of these. */
  only?: readonly string[];
}

/** The report key of a case: `key` for 60-byte frames, `key_<len>` otherwise. */
export function caseKey(c: PacketBenchCase): string {
  return c.frameLen === 60 ? c.key : `${c.key}_${c.frameLen}`;
}

/** Burst of packets per heap-meter iteration. */
const HEAP_BURST = 64;

/**
 * Measures every case of every provider: rate next to the reference (median of rounds, interleaved), then
 * heap bytes per packet and GC events over a separate window of the case alone.
 */
export async function runPacketBenches(
  providers: readonly PacketBenchProvider[],
  options: PacketBenchOptions = {},
): Promise<PacketBenchReport> {
  const quick = options.quick ?? false;
  const report: PacketBenchReport = {};
  for (const p of providers) {
    try {
      for (const c of p.cases({ quick })) {
        const key = caseKey(c);
        if (options.only !== undefined && !options.only.some((o) => key.startsWith(o))) continue;
        const ops = Math.max(HEAP_BURST, Math.floor((c.ops ?? 200_000) / (quick ? 4 : 1)));
        const cases = [{ name: c.name, fn: c.run }];
        if (c.basis !== undefined) cases.push(c.basis);
        // A full collection after the warm-up (BenchOptions.settle): the rig's objects in the old generation,
        // as in a long-running stack.
        const g = measureGroup(key, c.reference, cases, {
          ops,
          rounds: quick ? 3 : 7,
          settle: () => options.probe?.collect?.(),
        });
        const ref = g.results[0];
        const res = g.results[1];
        const basis = g.results[2];
        let heap: number | null = null;
        let gcs: number | null = null;
        if (options.probe !== undefined) {
          const iterations = Math.max(16, Math.floor(ops / HEAP_BURST));
          const h = await measureHeap(options.probe, () => c.run(HEAP_BURST), iterations, {
            warmup: Math.floor(iterations / 2),
            sampleEvery: 64,
          });
          heap = h.bytesPerIteration / HEAP_BURST;
          gcs = h.gcEvents;
        }
        report[key] ??= {};
        report[key][p.name] = {
          mpps: res.opsPerSec / 1e6,
          reference_mpps: ref.opsPerSec / 1e6,
          ratio: res.opsPerSec / ref.opsPerSec,
          ns_per_packet: res.nsPerOp,
          heap_bytes_per_packet: heap,
          gc_events: gcs,
          frame_len: c.frameLen,
          case: c.name,
          reference: c.reference.name,
          ...(basis === undefined
            ? {}
            : { basis: basis.name, basis_mpps: basis.opsPerSec / 1e6, basis_ratio: res.opsPerSec / basis.opsPerSec }),
        };
      }
    } finally {
      p.dispose?.();
    }
  }
  return report;
}

function fixed(n: number | null, digits: number): string {
  return n === null ? '-' : n.toFixed(digits);
}

/** The report as one aligned text table (one line per path and provider), with where it was measured. */
export function formatPacketReport(report: PacketBenchReport): string {
  const header = ['path', 'driver', 'Mpps', 'ref Mpps', 'ratio', 'ns/pkt', 'heap B/pkt', 'GCs', 'reference'];
  const rows: string[][] = [];
  for (const key of Object.keys(report)) {
    for (const [driver, r] of Object.entries(report[key])) {
      rows.push([
        key,
        driver,
        fixed(r.mpps, 3),
        fixed(r.reference_mpps, 2),
        `${fixed(r.ratio, 3)}x`,
        fixed(r.ns_per_packet, 0),
        fixed(r.heap_bytes_per_packet, 2),
        r.gc_events === null ? '-' : String(r.gc_events),
        r.reference,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [`ifnet packet paths (${environment()})`, line(header), ...rows.map(line)].join('\n');
}
