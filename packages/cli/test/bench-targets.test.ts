import {
  FUSED_UDP_REFERENCE,
  type PacketBenchReport,
  type PacketBenchResult,
  SMALL_FRAME_BASIS,
} from '@ifnet/benchkit';
import { describe, expect, it } from 'vitest';
import { e1000Targets, formatTargets } from '../src/commands/bench-targets.js';

function row(mpps: number, referenceMpps: number, reference: string, frameLen = 60): PacketBenchResult {
  return {
    mpps,
    reference_mpps: referenceMpps,
    ratio: mpps / referenceMpps,
    ns_per_packet: 1000 / mpps,
    heap_bytes_per_packet: 0,
    gc_events: 0,
    frame_len: frameLen,
    case: 'case',
    reference,
  };
}

const OWN = 'copy into buffer ring + parse Ethernet header';

function report(): PacketBenchReport {
  return {
    // The sink measured next to its own loop (60 Mpps) and, interleaved, the fused receive loop (30 Mpps).
    sink: { e1000: { ...row(9, 60, OWN), basis: FUSED_UDP_REFERENCE, basis_mpps: 30, basis_ratio: 0.3 } },
    sink_1514: { e1000: row(5, 20, OWN, 1514) },
    rx: { e1000: row(4, 30, FUSED_UDP_REFERENCE), ehea: row(2, 20, 'hash + indirection table') },
    rx_1514: { e1000: row(3, 20, FUSED_UDP_REFERENCE, 1514) },
    echo: { e1000: row(2.6, 9, 'responder') },
  };
}

describe('ifnet bench targets', () => {
  it('reads the sink against its basis, the fused receive loop, not its own reference', () => {
    const r = report();
    const byName = Object.fromEntries(e1000Targets(r).map((c) => [c.name, c]));
    expect(byName['sink vs the fused receive loop']).toMatchObject({ target: 0.3, met: true });
    expect(byName['UDP socket vs the fused receive loop'].value).toBeCloseTo(4 / 30, 12);
    expect(byName['UDP socket vs the fused receive loop'].met).toBe(false);
    // Costs: at most 1.5x the 60-byte time. 9 Mpps -> 5 Mpps is 1.8x; 4 -> 3 Mpps is 1.33x.
    expect(byName['sink, 1514-byte / 60-byte time']).toMatchObject({ atMost: true, met: false });
    expect(byName['sink, 1514-byte / 60-byte time'].value).toBeCloseTo(1.8, 12);
    expect(byName['UDP socket, 1514-byte / 60-byte time']).toMatchObject({ met: true });
    expect(byName['ICMP echo both ways']).toMatchObject({ value: 2.6, target: 2.5, met: true });
    expect(e1000Targets(r)).toHaveLength(5);
  });

  it('checks only what a partial run measured, and nothing without the fused loop', () => {
    const r = report();
    const partial: PacketBenchReport = { sink_1514: r.sink_1514, echo: r.echo };
    expect(e1000Targets(partial).map((c) => c.name)).toEqual(['ICMP echo both ways']);
    expect(e1000Targets({})).toEqual([]);
    expect(formatTargets([])).toBe('');
    // No basis measured (or another one): no sink target; an rx against another loop: no socket target.
    const other: PacketBenchReport = {
      sink: { e1000: { ...row(9, 60, OWN), basis: 'another loop', basis_mpps: 30, basis_ratio: 0.3 } },
      rx: { e1000: row(4, 30, 'another loop') },
    };
    expect(e1000Targets(other)).toEqual([]);
    expect(e1000Targets({ sink: { e1000: row(9, 60, OWN) } })).toEqual([]);
  });

  it("reads the 1514-byte cost from the large case's own rounds when it measured the 60-byte path", () => {
    const r = report();
    // Across cases: 9 -> 5 Mpps is 1.8x. Within the large case's rounds the 60-byte path ran at 6.5 Mpps.
    r.sink_1514.e1000 = { ...r.sink_1514.e1000, basis: SMALL_FRAME_BASIS, basis_mpps: 6.5, basis_ratio: 5 / 6.5 };
    const c = e1000Targets(r).find((t) => t.name === 'sink, 1514-byte / 60-byte time')!;
    expect(c.value).toBeCloseTo(1.3, 12);
    expect(c.met).toBe(true);
  });

  it('prints one line per target with met or MISSED', () => {
    const text = formatTargets(e1000Targets(report()));
    const lines = text.split('\n');
    expect(lines[0]).toBe('e1000 targets, from this run:');
    expect(lines).toHaveLength(6);
    expect(text).toMatch(/sink vs the fused receive loop\s+0\.300x\s+target >= 0\.3x\s+met/);
    expect(text).toMatch(/UDP socket vs the fused receive loop\s+0\.133x\s+target >= 0\.17x\s+MISSED/);
    expect(text).toMatch(/ICMP echo both ways\s+2\.60 Mpps\s+target >= 2\.5 Mpps\s+met/);
  });
});
