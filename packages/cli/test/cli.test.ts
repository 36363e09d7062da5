import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError, VERSION, parseNumberOption, run } from '../src/index.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ifnet.mjs');

describe('ifnet command line', () => {
  it('prints its version and exits 0', async () => {
    expect(await run(['--version'])).toBe(0);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect(await run(['no-such-command'])).toBe(2);
    expect(await run(['demo', '--no-such-option'])).toBe(2);
  });

  it('parses numeric options strictly, naming the option', () => {
    expect(parseNumberOption('--duration', '2.5', { min: 0 })).toBe(2.5);
    expect(() => parseNumberOption('--duration', 'abc')).toThrow(/--duration: not a number/);
    expect(() => parseNumberOption('--count', '1.5', { integer: true })).toThrow(UsageError);
    expect(() => parseNumberOption('--count', '-1', { min: 0 })).toThrow(/at least 0/);
  });

  it('the executable runs the sources in the workspace and forwards the exit status', () => {
    const ok = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(VERSION);
    const bad = spawnSync(process.execPath, [bin, 'demo', '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
  });
});
