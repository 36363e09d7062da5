/**
 * A real-clock CPU's preemption points bring the hardware up to date (`catchUpHardware`): inside a unit
 * with the unit's one clock reading, compared with the earliest armed timer (a due timer fires, an early
 * one costs no clock read); outside units with a fresh reading each time; and with a fresh reading after
 * `REAL_CLOCK_RESAMPLE` points in one unit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Continuation, Cpu, DEFAULT_COST_PROFILE, IPL_NONE, REAL_CLOCK_RESAMPLE, RealClock } from '../../src/index.js';

const clocks: RealClock[] = [];
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop();
});

function realCpu(): { cpu: Cpu; clock: RealClock } {
  const clock = new RealClock();
  clocks.push(clock);
  return { cpu: new Cpu('c', clock, DEFAULT_COST_PROFILE), clock };
}

/** Runs `fn` as one unit of work on `cpu` (a process-level continuation). */
function inUnit(cpu: Cpu, fn: () => void): void {
  cpu.sched.schedule(new Continuation('unit', IPL_NONE, fn, null));
  expect(cpu.runUnit()).toBe(true);
}

const HOUR = 3600e9;

describe('real-clock preemption points', () => {
  it("inside a unit: a timer due by the unit's reading fires at the next point, without another clock read", () => {
    const { cpu, clock } = realCpu();
    const fired: number[] = [];
    const t = clock.createTimer('t', () => fired.push(1));
    inUnit(cpu, () => {
      const now = cpu.now(); // the unit's reading
      const reads = clock.reads;
      t.arm(now + HOUR);
      cpu.preempt(); // not due: nothing, and no read
      expect(fired).toEqual([]);
      t.arm(now); // due by the reading
      cpu.preempt();
      expect(fired).toEqual([1]);
      expect(clock.reads).toBe(reads);
    });
  });

  it('inside a unit without a reading yet: a point reads the clock only when a timer is armed', () => {
    const { cpu, clock } = realCpu();
    const fired: number[] = [];
    const t = clock.createTimer('t', () => fired.push(1));
    clock.read(); // a reading no unit of this CPU has seen: the next unit takes it as its own
    inUnit(cpu, () => {
      const reads = clock.reads;
      cpu.preempt();
      expect(clock.reads).toBe(reads);
      t.arm(cpu.now() - 1);
      cpu.preempt();
      expect(fired).toEqual([1]);
    });
  });

  it('outside units every point reads the clock and fires what is due', () => {
    const { cpu, clock } = realCpu();
    const fired: number[] = [];
    clock.createTimer('t', () => fired.push(1)).arm(clock.now() + 1);
    inUnit(cpu, () => {}); // a unit's reading must not outlive the unit
    const until = clock.now() + 1e6;
    while (fired.length === 0 && clock.now() < until) cpu.preempt();
    expect(fired).toEqual([1]);
    const reads = clock.reads;
    clock.createTimer('u', () => {}).arm(clock.now() + HOUR);
    cpu.preempt();
    expect(clock.reads).toBe(reads + 2); // the arm's own now(), then the point's read
  });

  it(`a long unit reads the clock again after ${REAL_CLOCK_RESAMPLE} preemption points`, () => {
    const { cpu, clock } = realCpu();
    clock.createTimer('t', () => {}).arm(clock.now() + HOUR);
    inUnit(cpu, () => {
      cpu.now();
      const reads = clock.reads;
      for (let i = 0; i < REAL_CLOCK_RESAMPLE - 1; i++) cpu.preempt();
      expect(clock.reads).toBe(reads);
      cpu.preempt();
      expect(clock.reads).toBe(reads + 1);
      for (let i = 0; i < REAL_CLOCK_RESAMPLE - 1; i++) cpu.preempt();
      expect(clock.reads).toBe(reads + 1);
    });
  });
});
