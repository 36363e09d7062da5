import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

describe('ifnet lab livelock', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--json prints one object in the shape of issue 14', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    expect(
      await run(['lab', 'livelock', '--json', '--models', 'napi,continuation', '--rates', '10000', '--window', '10']),
    ).toBe(0);
    expect(out).toHaveLength(1);
    const r = JSON.parse(out[0]);
    expect(r.clock).toBe('virtual');
    expect(Object.keys(r.models)).toEqual(['napi', 'continuation']);
    const p = r.models.napi[0];
    for (const k of ['offered_pps', 'delivered_pps', 'interrupts_per_s', 'latency_p50_us', 'latency_p99_us'])
      expect(typeof p[k], k).toBe('number');
    expect(p.offered_pps).toBe(10_000);
    expect(p.delivered_pps).toBe(10_000);
    expect(typeof p.drops).toBe('object');
  }, 60_000);

  it('--out writes the three SVG figures with labelled axes and a legend', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-lab-'));
    try {
      expect(
        await run([
          'lab',
          'livelock',
          '--models',
          'napi,continuation',
          '--rates',
          '10000,400000',
          '--window',
          '5',
          '--out',
          dir,
        ]),
      ).toBe(0);
      expect(readdirSync(dir).sort()).toEqual([
        'livelock-delivered.svg',
        'livelock-interrupts.svg',
        'livelock-latency.svg',
      ]);
      const svg = readFileSync(join(dir, 'livelock-delivered.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('offered load (frames/s)');
      expect(svg).toContain('delivered to the application (datagrams/s)');
      expect(svg).toContain('continuation'); // the legend
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses an unknown model and an unknown clock with status 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['lab', 'livelock', '--models', 'nope'])).toBe(2);
    expect(await run(['lab', 'livelock', '--clock', 'wall'])).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/unknown model 'nope'/);
  });
});
