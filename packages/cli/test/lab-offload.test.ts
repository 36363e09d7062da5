import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

describe('ifnet lab offload', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--json prints one object: per model and rate, and per card queue depth', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(
      await run([
        'lab',
        'offload',
        '--json',
        '--rates',
        '10000',
        '--depths',
        '1,4',
        '--depth-rate',
        '50000',
        '--window',
        '5',
      ]),
    ).toBe(0);
    expect(out).toHaveLength(1);
    const r = JSON.parse(out[0]);
    expect(r.clock).toBe('virtual');
    expect(r.context_switch_ns).toBe(2000);
    expect(Object.keys(r.models)).toEqual(['interrupt-thread', 'continuation']);
    const th = r.models['interrupt-thread'][0];
    for (const k of [
      'offered_pps',
      'delivered_pps',
      'switches_per_packet',
      'latency_p50_us',
      'latency_p99_us',
      'card_busy',
    ])
      expect(typeof th[k], k).toBe('number');
    expect(th.delivered_pps).toBe(10_000);
    expect(th.switches_per_packet).toBe(6);
    expect(r.models.continuation[0].switches_per_packet).toBe(0);
    expect(Object.keys(th.cpu).sort()).toEqual(['idle', 'interrupt', 'process', 'softclock', 'softnet', 'switch']);
    expect(r.depth.offered_pps).toBe(50_000);
    expect(r.depth.models.continuation.map((p: { queue_depth: number }) => p.queue_depth)).toEqual([1, 4]);
  }, 60_000);

  it('--out writes the four SVG figures with labelled axes and a legend; the table names both parts', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-offload-'));
    try {
      expect(
        await run(['lab', 'offload', '--rates', '10000,100000', '--depths', '1', '--window', '5', '--out', dir]),
      ).toBe(0);
      expect(readdirSync(dir).sort()).toEqual([
        'offload-delivered.svg',
        'offload-depth.svg',
        'offload-latency.svg',
        'offload-switches.svg',
      ]);
      const svg = readFileSync(join(dir, 'offload-switches.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('offered load (ESP datagrams/s)');
      expect(svg).toContain('context switches per packet');
      expect(svg).toContain('interrupt-thread'); // the legend
      expect(readFileSync(join(dir, 'offload-depth.svg'), 'utf8')).toContain('card work queue depth');
      expect(out.join('\n')).toContain('card queue depth vs throughput');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses unknown models and bad depths with a usage error', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: unknown) => {
      err.push(String(s));
      return true;
    });
    vi.spyOn(console, 'error').mockImplementation((s: unknown) => {
      err.push(String(s));
    });
    expect(await run(['lab', 'offload', '--models', 'nope'])).not.toBe(0);
    expect(await run(['lab', 'offload', '--depths', '3'])).not.toBe(0);
    expect(err.join('\n')).toMatch(/unknown offload model 'nope'/);
    expect(err.join('\n')).toMatch(/--depths: 3 is not a power of two/);
  });
});
