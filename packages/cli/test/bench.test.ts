import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

describe('ifnet bench', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--json prints one object: path -> driver -> rate next to the reference, heap and GC figures', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    expect(await run(['bench', '--quick', '--json', '--only', 'sink_1514'])).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(Object.keys(report)).toEqual(['sink_1514']);
    const r = report.sink_1514.e1000;
    expect(r.frame_len).toBe(1514);
    for (const k of ['mpps', 'reference_mpps', 'ratio', 'ns_per_packet', 'heap_bytes_per_packet', 'gc_events']) {
      expect(typeof r[k], k).toBe('number');
      expect(Number.isFinite(r[k]), k).toBe(true);
    }
    expect(r.mpps).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.mpps / r.reference_mpps, 6);
  }, 120_000);

  it('--json reports rx for every driver and echo through the e1000 (shape only)', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    expect(await run(['bench', '--quick', '--json', '--only', 'rx', 'echo'])).toBe(0);
    const report = JSON.parse(out.join('\n'));
    for (const [key, driver] of [
      ['rx', 'e1000'],
      ['rx', 'ne2000'],
      ['rx', 'ehea'],
      ['echo', 'e1000'],
      ['rx_1514', 'e1000'],
      ['rx_1514', 'ne2000'],
    ]) {
      const r = report[key]?.[driver];
      expect(r, `${key}.${driver}`).toBeDefined();
      for (const k of ['mpps', 'reference_mpps', 'ratio', 'heap_bytes_per_packet', 'gc_events']) {
        expect(typeof r[k], `${key}.${driver}.${k}`).toBe('number');
      }
    }
    expect(report.rx.e1000.reference).toBe(report.rx.ne2000.reference); // one shared fused UDP reference
  }, 240_000);

  it('prints a table by default', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    expect(await run(['bench', '--quick', '--only', 'sink_1514'])).toBe(0);
    expect(out.join('\n')).toMatch(/path\s+driver\s+Mpps\s+ref Mpps\s+ratio/);
    expect(out.join('\n')).toMatch(/sink_1514\s+e1000/);
    expect(out.join('\n')).toMatch(/sink_1514\s+ne2000/); // the PIO part next to the DMA one
  }, 120_000);
});
