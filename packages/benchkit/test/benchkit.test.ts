import { describe, expect, it } from 'vitest';
import { Bench, formatTable, type GroupResult, measureGroup, median, sink, sinkChecksum } from '../src/index.js';

describe('benchkit', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('sink folds results into the checksum', () => {
    const before = sinkChecksum();
    sink(5);
    sink(true);
    sink({});
    sink(undefined);
    expect(sinkChecksum()).toBe((before + 7) | 0);
  });

  it('measures a reference and its cases together, interleaved, for the given rounds', () => {
    const calls: string[] = [];
    const mk = (name: string) => ({
      name,
      fn: (ops: number) => {
        calls.push(name);
        let x = 0;
        for (let i = 0; i < ops; i++) x = (x + i) | 0;
        return x;
      },
    });
    const g = measureGroup('g', mk('ref'), [mk('a'), mk('b')], { ops: 1000, warmupOps: 10, rounds: 3 });
    expect(g.results.map((r) => r.name)).toEqual(['ref', 'a', 'b']);
    expect(g.results[0].isReference).toBe(true);
    expect(g.results[0].ratio).toBe(1);
    for (const r of g.results) {
      expect(r.rounds).toHaveLength(3);
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.nsPerOp).toBeCloseTo(1e9 / r.opsPerSec);
    }
    // warm-up once each, then rounds rotate the starting case
    expect(calls).toEqual(['ref', 'a', 'b', 'ref', 'a', 'b', 'a', 'b', 'ref', 'b', 'ref', 'a']);
  });

  it('settles once, after every warm-up and before the first measured round', () => {
    const calls: string[] = [];
    const mk = (name: string) => ({
      name,
      fn: (ops: number) => {
        calls.push(name);
        return ops;
      },
    });
    measureGroup('g', mk('ref'), [mk('a')], { ops: 100, warmupOps: 1, rounds: 2, settle: () => calls.push('settle') });
    expect(calls).toEqual(['ref', 'a', 'settle', 'ref', 'a', 'a', 'ref']);
  });

  it('formats each case next to its reference, as text or Markdown', () => {
    const g: GroupResult = {
      title: 'alloc',
      ops: 1000,
      rounds: 5,
      results: [
        { name: 'plain', isReference: true, opsPerSec: 1e6, nsPerOp: 1000, ratio: 1, spread: 0.01, rounds: [] },
        { name: 'pool', isReference: false, opsPerSec: 4e6, nsPerOp: 250, ratio: 4, spread: 0.02, rounds: [] },
      ],
    };
    const text = formatTable('t', [g]);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^case\s+ops\/s\s+ns\/op\s+vs ref\s+spread$/);
    expect(text).toMatch(/ {2}ref: plain\s+1,000,000\s+1000\s+1\.00 \(ref\)\s+±1\.0%/);
    expect(text).toMatch(/ {2}pool\s+4,000,000\s+250\s+4\.00x\s+±2\.0%/);
    const md = formatTable('t', [g], { markdown: true });
    expect(md).toContain('| case | ops/s | ns/op | vs ref | spread |');
    expect(md).toContain('| **alloc** | | | | |');
    expect(md).toContain('| pool | 4,000,000 | 250 | 4.00x | ±2.0% |');
  });

  it('Bench.run returns results without printing when asked', () => {
    const b = new Bench('quiet', { ops: 100, rounds: 1, warmupOps: 1 });
    b.group('g', { name: 'r', fn: (n) => n }, [{ name: 'c', fn: (n) => n * 2 }]);
    const res = b.run(false);
    expect(res).toHaveLength(1);
    expect(res[0].results).toHaveLength(2);
  });
});

describe('a caller-supplied clock', () => {
  it('times rounds with it and names it in the caption', () => {
    let t = 0;
    const clock = () => {
      t += 2; // every reading 2 ms later: each round lasts 2 ms
      return t;
    };
    const g = measureGroup('clocked', { name: 'ref', fn: (n) => n }, [{ name: 'case', fn: (n) => n }], {
      ops: 1000,
      rounds: 3,
      clock,
      clockName: 'test clock',
    });
    expect(g.results.map((r) => r.opsPerSec)).toEqual([500_000, 500_000]);
    expect(g.clockName).toBe('test clock');
    expect(formatTable('t', [g])).toContain('; test clock)');
  });
});
