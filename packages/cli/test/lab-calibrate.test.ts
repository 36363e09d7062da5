import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCostProfile } from '@ifnet/lab';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.js';

describe('ifnet lab calibrate, and livelock --costs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes a cost profile with its provenance that lab livelock --costs runs with', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
      out.push(String(s));
    });
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-cal-'));
    const file = join(dir, 'costs.json');
    try {
      expect(await run(['lab', 'calibrate', '--rounds', '1', '--ops', '1024', '--out', file])).toBe(0);
      const c = JSON.parse(readFileSync(file, 'utf8'));
      expect(c.format).toBe('ifnet-cost-profile/1');
      expect(c.provenance.method).toMatch(/process CPU time/);
      expect(c.provenance.load).toMatch(/load average .* on \d+ cores/);
      expect(parseCostProfile(c).layer.ipv4).toBe(c.profile.layer.ipv4);
      const table = err.mock.calls.map((x) => String(x[0])).join('');
      expect(table).toMatch(/layer\.ipv4 +400 +[\d.]+ +measured/);
      expect(table).toContain(`profile: ${file}`);

      const argv = ['lab', 'livelock', '--json', '--models', 'napi', '--rates', '10000', '--window', '5'];
      expect(await run([...argv, '--costs', file])).toBe(0);
      const r = JSON.parse(out.at(-1)!);
      expect(r.cost_profile).toBe(file);
      expect(r.models.napi[0].delivered_pps).toBe(10_000);
      expect(await run(argv)).toBe(0);
      expect(JSON.parse(out.at(-1)!).cost_profile).toBe('default');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a bad profile, a missing file, costs on the real clock, and bad calibrate options', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-cal-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ tick: -5 }));
    try {
      const argv = ['lab', 'livelock', '--models', 'napi', '--rates', '10000'];
      expect(await run([...argv, '--costs', bad])).toBe(2);
      expect(await run([...argv, '--costs', join(dir, 'none.json')])).toBe(2);
      expect(await run([...argv, '--clock', 'real', '--costs', bad])).toBe(2);
      expect(await run(['lab', 'calibrate', '--rounds', '0'])).toBe(2);
      expect(await run(['lab', 'calibrate', '--clock', 'tsc'])).toBe(2);
      const text = err.mock.calls.map((x) => String(x[0])).join('');
      expect(text).toMatch(/tick must be a finite number >= 0/);
      expect(text).toMatch(/ENOENT/);
      expect(text).toMatch(/real clock uses no cost profile/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
