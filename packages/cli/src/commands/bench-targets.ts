/**
 * The data-path targets of the e1000 (the project's performance goals for its DMA driver), checked against
 * one `ifnet bench` report: every figure comes from the same run, so the machine's speed on the day cancels
 * out of the ratios.
 *
 * - e1000 → Ethernet sink at least 0.3x **the fused receive loop** (copy into a ring, Ethernet dispatch,
 *   IPv4 checksum, UDP demux: the `rx` reference), which the sink case measures interleaved with itself as
 *   its `basis` — not the sink's own lighter reference (copy and parse the Ethernet header), which the
 *   table's `ratio` column uses;
 * - e1000 → IPv4 → UDP socket at least 0.17x of the same loop (its own `ratio`);
 * - a 1514-byte frame at most 1.5x the 60-byte time per packet, to the sink and to the socket (the 1514-byte
 *   cases measure their 60-byte path interleaved as their basis);
 * - ICMP echo through the e1000 both ways at least 2.5 Mpps.
 *
 * Heap bytes per packet are in the table; that they are zero is shown by the heap tests (V8's counters over
 * many iterations), not by a benchmark window.
 *
 * @module
 */
import {
  FUSED_UDP_REFERENCE,
  type PacketBenchReport,
  type PacketBenchResult,
  SMALL_FRAME_BASIS,
} from '@ifnet/benchkit';

/** One target, as measured. */
export interface TargetCheck {
  /** What is compared, for the table. */
  readonly name: string;
  readonly value: number;
  readonly target: number;
  /** `value` must be at most `target` (a cost) rather than at least (a rate or ratio). */
  readonly atMost: boolean;
  /** How `value` and `target` print: `x` (a ratio) or ` Mpps`. */
  readonly unit: 'x' | ' Mpps';
  readonly met: boolean;
}

const DRIVER = 'e1000';

function check(name: string, value: number, target: number, atMost: boolean, unit: TargetCheck['unit']): TargetCheck {
  return { name, value, target, atMost, unit, met: atMost ? value <= target : value >= target };
}

/**
 * The targets the report has figures for (a run with `--only` may have some of them only), in a fixed
 * order. Empty when the report has no e1000 rows.
 */
export function e1000Targets(report: PacketBenchReport): TargetCheck[] {
  const at = (key: string) => report[key]?.[DRIVER];
  const sink = at('sink');
  const rx = at('rx');
  const sink1514 = at('sink_1514');
  const rx1514 = at('rx_1514');
  const echo = at('echo');
  const out: TargetCheck[] = [];
  if (sink?.basis === FUSED_UDP_REFERENCE && sink.basis_ratio !== undefined) {
    out.push(check('sink vs the fused receive loop', sink.basis_ratio, 0.3, false, 'x'));
  }
  if (rx?.reference === FUSED_UDP_REFERENCE) {
    out.push(check('UDP socket vs the fused receive loop', rx.ratio, 0.17, false, 'x'));
  }
  const sinkLarge = largeOverSmall(sink1514, sink);
  if (sinkLarge !== undefined) out.push(check('sink, 1514-byte / 60-byte time', sinkLarge, 1.5, true, 'x'));
  const rxLarge = largeOverSmall(rx1514, rx);
  if (rxLarge !== undefined) out.push(check('UDP socket, 1514-byte / 60-byte time', rxLarge, 1.5, true, 'x'));
  if (echo !== undefined) out.push(check('ICMP echo both ways', echo.mpps, 2.5, false, ' Mpps'));
  return out;
}

/**
 * A full-sized frame's time over the 60-byte one on the same path: from the large case's own rounds when
 * it measured the small path as its basis ({@link SMALL_FRAME_BASIS}), else from the two cases' figures.
 */
function largeOverSmall(
  large: PacketBenchResult | undefined,
  small: PacketBenchResult | undefined,
): number | undefined {
  if (large?.basis === SMALL_FRAME_BASIS && large.basis_ratio !== undefined) return 1 / large.basis_ratio;
  if (large === undefined || small === undefined) return undefined;
  return large.ns_per_packet / small.ns_per_packet;
}

/** The targets as text lines under the report's table (nothing when there are none). */
export function formatTargets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => {
    const digits = c.unit === 'x' ? 3 : 2;
    const value = `${c.value.toFixed(digits)}${c.unit}`.padStart(11);
    const target = `${c.atMost ? '<=' : '>='} ${c.target}${c.unit}`.padEnd(12);
    return `  ${c.name.padEnd(width)}  ${value}  target ${target}  ${c.met ? 'met' : 'MISSED'}`;
  });
  return [`${DRIVER} targets, from this run:`, ...lines].join('\n');
}
