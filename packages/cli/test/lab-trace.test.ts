import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkChromeTrace } from '@ifnet/lab';
import { buildModel } from '@tracerbench/trace-model';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

describe('ifnet lab livelock --trace', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes a Perfetto-loadable trace-event JSON of the chosen point, read back by an independent model', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-trace-'));
    const file = join(dir, 'livelock.json');
    try {
      const argv = ['lab', 'livelock', '--models', 'napi,continuation', '--rates', '100000,400000', '--window', '5'];
      expect(await run([...argv, '--trace', file, '--trace-point', 'continuation@100000', '--trace-ms', '4'])).toBe(0);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/trace: .*continuation at 100000\/s, 4 ms/);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      expect(checkChromeTrace(json)).toEqual([]);
      expect(json.otherData).toMatchObject({ model: 'continuation', offered_pps: 100_000, window_ms: 4, dropped: 0 });

      // TracerBench's trace model (a third-party reader of the Chrome format) pairs B/E into slices and
      // sorts them into named threads: one per CPU level and one for the poll context.
      const model = buildModel(json.traceEvents);
      const [proc] = model.processes;
      const threads = new Map(proc.threads.map((t) => [t.name, t]));
      expect([...threads.keys()].sort()).toEqual([
        'dut.cpu0 clock',
        'dut.cpu0 process',
        'dut.cpu0 softnet',
        'poll wm0.q0',
      ]);
      const polls = threads.get('poll wm0.q0')!.events.filter((e) => e.name === 'poll');
      expect(polls.length).toBeGreaterThan(3);
      for (const p of polls) {
        expect(p.ph).toBe('X'); // a B matched with its E
        expect(p.end).toBeGreaterThanOrEqual(p.start);
      }
      // Every poll lies inside a softnet continuation of the same name's time span.
      const softnet = threads.get('dut.cpu0 softnet')!.events.filter((e) => e.name === 'wm0.q0');
      for (const p of polls) expect(softnet.some((k) => k.start <= p.start && p.end <= k.end)).toBe(true);
      // At 100,000/s continuation polls on the tick: tick deferrals are instants on the poll track.
      expect(threads.get('poll wm0.q0')!.events.some((e) => e.name === 'tick-deferral')).toBe(true);
      // The trace is within the measured window (10 ms warm-up + 1 ms start, then 4 ms).
      expect(model.start).toBeGreaterThanOrEqual(11_000);
      expect(model.end).toBeLessThanOrEqual(15_100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a traced point outside the sweep', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const base = ['lab', 'livelock', '--models', 'napi', '--rates', '10000', '--trace', '/nonexistent/x.json'];
    expect(await run([...base, '--trace-point', 'continuation@10000'])).toBe(2);
    expect(await run([...base, '--trace-point', 'napi@20000'])).toBe(2);
    expect(await run([...base, '--trace-point', 'napi'])).toBe(2);
    expect(await run([...base, '--trace-ms', '0'])).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /not in --models[\s\S]*not one of the swept[\s\S]*MODEL@RATE/,
    );
  });
});
