import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkChromeTrace } from '@ifnet/lab';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

// The real clock: a worker thread generates the traffic, the kernel runs on this thread with real costs.
// Figures depend on the machine and its load: these tests check the shape of the report only.
describe('ifnet lab livelock --clock real', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--json prints the virtual clock shape with "clock": "real", plus what only a real run knows', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-real-'));
    const file = join(dir, 'real.json');
    try {
      const argv = ['lab', 'livelock', '--clock', 'real', '--json', '--models', 'napi,continuation'];
      expect(
        await run([...argv, '--rates', '20000,300000', '--window', '30', '--trace', file, '--trace-ms', '30']),
      ).toBe(0);
      expect(out).toHaveLength(1);
      const r = JSON.parse(out[0]);
      expect(r.clock).toBe('real');
      expect(Object.keys(r.models)).toEqual(['napi', 'continuation']);
      for (const rows of Object.values(r.models) as Record<string, unknown>[][]) {
        expect(rows.map((p) => p.offered_pps)).toEqual([20_000, 300_000]);
        for (const p of rows) {
          for (const k of [
            'delivered_pps',
            'interrupts_per_s',
            'packets_per_interrupt',
            'latency_p50_us',
            'latency_p99_us',
            'generated_pps',
            'window_ms_measured',
          ])
            expect(typeof p[k], k).toBe('number');
          expect(p.window_ms_measured).toBeGreaterThanOrEqual(29);
          expect(Object.keys(p.drops as object)).toEqual(expect.arrayContaining(['nic.missed', 'wire.ring']));
          expect(Object.keys(p.cpu as object).sort()).toEqual(['idle', 'interrupt', 'process', 'softclock', 'softnet']);
        }
      }
      // The worker really sent traffic and some of it reached the application.
      expect(r.models.continuation[0].generated_pps).toBeGreaterThan(0);
      expect(r.models.continuation[0].delivered_pps).toBeGreaterThan(0);
      // The trace (default point: the first model at the rate nearest 350,000/s) on wall-clock timestamps.
      const trace = JSON.parse(readFileSync(file, 'utf8'));
      expect(checkChromeTrace(trace)).toEqual([]);
      expect(trace.otherData).toMatchObject({ model: 'napi', offered_pps: 300_000, clock: 'real', window_ms: 30 });
      expect(trace.traceEvents.some((e: { name: string }) => e.name === 'poll')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
