import { describe, expect, it } from 'vitest';
import { Continuation, IPL_NONE, IPL_SOFTNET, MAX_SOFT_RESTART, msec, usec } from '../../src/index.js';
import { rig } from '../helpers/setup.js';

/** A softnet continuation that always has more work (a poll that always fills its budget). */
function busySoftnet(cpu: ReturnType<typeof rig>['host']['cpu']) {
  const kc: Continuation<null> = new Continuation(
    'busy-poll',
    IPL_SOFTNET,
    () => {
      cpu.charge(usec(10));
      cpu.sched.schedule(kc);
    },
    null,
  );
  return kc;
}

describe('fair share between softnet and process level (ksoftirqd / user_frac)', () => {
  it('process-level work gets a turn after waiting a whole quota behind softnet', () => {
    const { sim, host } = rig();
    const cpu = host.cpu;
    const ran: number[] = [];
    let appRuns = 0;
    const app: Continuation<null> = new Continuation(
      'app',
      IPL_NONE,
      () => {
        ran.push(cpu.now());
        cpu.charge(usec(100));
        // Softnet work queued meanwhile does not pre-empt the process turn.
        cpu.preempt();
        if (++appRuns < 30) cpu.sched.schedule(app);
      },
      null,
    );
    cpu.sched.schedule(busySoftnet(cpu));
    cpu.sched.schedule(app);
    sim.runUntil(msec(12));
    // First turn after 2 ms of softnet; during a 2 ms turn the app runs 20 times (100 µs each) back to
    // back; then softnet has 2 ms again; then the app's remaining 10 runs.
    expect(ran.slice(0, 3)).toEqual([msec(2), msec(2) + usec(100), msec(2) + usec(200)]);
    expect(ran).toHaveLength(30);
    expect(ran[20]).toBeGreaterThanOrEqual(msec(6));
    expect(cpu.stats.processTurns).toBe(2);
  });

  it('a preemption point runs a bounded amount of soft work, then the interrupted code resumes', () => {
    const { sim, host } = rig();
    const cpu = host.cpu;
    cpu.softQuota = Number.POSITIVE_INFINITY;
    const busy = busySoftnet(cpu);
    let resumedAt = -1;
    cpu.sched.schedule(
      new Continuation(
        'app',
        IPL_NONE,
        () => {
          cpu.sched.schedule(busy); // softnet work appears while the app runs
          cpu.preempt();
          resumedAt = cpu.now();
        },
        null,
      ),
    );
    sim.runUntil(msec(1));
    expect(resumedAt).toBe(MAX_SOFT_RESTART * usec(10));
  });

  it('without it (softQuota = Infinity) a busy softnet starves applications forever', () => {
    const { sim, host } = rig();
    const cpu = host.cpu;
    cpu.softQuota = Number.POSITIVE_INFINITY;
    let appRan = false;
    cpu.sched.schedule(busySoftnet(cpu));
    cpu.sched.schedule(new Continuation('app', IPL_NONE, () => (appRan = true), null));
    sim.runUntil(msec(50));
    expect(appRan).toBe(false);
    expect(cpu.stats.processTurns).toBe(0);
  });
});
