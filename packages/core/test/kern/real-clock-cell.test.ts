/**
 * The real clock's allocation-free entry points for hot callers: `timersArmed`, `read()` into
 * `lastReading`, `readAndAdvance()`, and `advanceToCell` (a CPU's reading in a Float64Array cell) — the
 * same timer semantics as `now()` and `advanceTo(t)`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/index.js';

const clocks: RealClock[] = [];
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop();
});

function clock(): RealClock {
  const c = new RealClock();
  clocks.push(c);
  return c;
}

describe('RealClock hot-path entry points', () => {
  it('earliestExpiry holds the earliest armed expiry through arming, re-arming, cancelling and firing', () => {
    const c = clock();
    const cell = c.earliestExpiry;
    expect(cell[0]).toBe(Number.POSITIVE_INFINITY);
    const fired: string[] = [];
    const a = c.createTimer('a', () => fired.push('a'));
    const b = c.createTimer('b', () => fired.push('b'));
    const d = c.createTimer('d', () => fired.push('d'));
    a.arm(3e12);
    expect(cell[0]).toBe(3e12);
    b.arm(5e12);
    d.arm(4e12);
    expect(cell[0]).toBe(3e12);
    a.arm(6e12); // re-armed later: the next one is earliest now
    expect(cell[0]).toBe(4e12);
    d.cancel(); // a non-root removal leaves the root; then the root goes
    expect(cell[0]).toBe(5e12);
    b.arm(1e3);
    expect(cell[0]).toBe(1e3);
    c.advanceTo(2e3); // b fires
    expect(fired).toEqual(['b']);
    expect(cell[0]).toBe(6e12);
    a.cancel();
    expect(cell[0]).toBe(Number.POSITIVE_INFINITY);
    expect(c.timersArmed).toBe(false);
  });

  it('timersArmed follows arming and cancelling', () => {
    const c = clock();
    expect(c.timersArmed).toBe(false);
    const t = c.createTimer('t', () => {});
    t.arm(c.now() + 1e12);
    expect(c.timersArmed).toBe(true);
    t.cancel();
    expect(c.timersArmed).toBe(false);
  });

  it('read() and readAndAdvance() leave the reading in lastReading and count it', () => {
    const c = clock();
    const reads = c.reads;
    c.read();
    const a = c.lastReading;
    expect(c.reads).toBe(reads + 1);
    expect(a).toBeGreaterThanOrEqual(0);
    c.readAndAdvance();
    expect(c.reads).toBe(reads + 2);
    expect(c.lastReading).toBeGreaterThanOrEqual(a);
  });

  it('advanceToCell fires exactly the timers due by the time in the cell', () => {
    const c = clock();
    const fired: string[] = [];
    const base = c.now();
    c.createTimer('early', () => fired.push('early')).arm(base + 1_000);
    c.createTimer('late', () => fired.push('late')).arm(base + 5_000);
    const cell = new Float64Array(3);
    cell[2] = base + 999;
    c.advanceToCell(cell, 2);
    expect(fired).toEqual([]);
    cell[2] = base + 1_000;
    c.advanceToCell(cell, 2);
    expect(fired).toEqual(['early']);
    cell[2] = base + 10_000;
    c.advanceToCell(cell, 2);
    expect(fired).toEqual(['early', 'late']);
    expect(c.timersArmed).toBe(false);
    // Nothing armed: a cell time does nothing (and reads no clock).
    const reads = c.reads;
    c.advanceToCell(cell, 2);
    expect(c.reads).toBe(reads);
  });
});
