import { describe, expect, it } from 'vitest';
import {
  AllocationInInterruptError,
  Continuation,
  IPL_NET,
  IPL_NONE,
  IPL_SOFTNET,
  STORM_THRESHOLD,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
  usec,
} from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';

describe('interrupt context', () => {
  it('allocating an mbuf in an interrupt handler throws AllocationInInterruptError (throw mode)', () => {
    const { sim, host } = rig();
    const line = host.cpu.intr.createLine('bad');
    host.cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        line.deassert();
        host.pool.gethdr();
        return true;
      },
      null,
      'bad-driver',
    );
    const t = sim.clock.createTimer('assert', () => line.assert());
    t.arm(1000);
    expect(() => sim.runUntilIdle()).toThrow(AllocationInInterruptError);
    // The CPU left interrupt context and its level despite the exception.
    expect(host.cpu.interruptDepth).toBe(0);
    expect(host.cpu.ipl).toBe(IPL_NONE);
    expect(host.guard.violations).toBe(1);
    // The same allocation outside the handler is fine.
    const m = host.pool.gethdr();
    expect(m).not.toBeNull();
    host.pool.freem(m!);
  });

  it('counts the violation and serves the allocation in count mode', () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({
      name: 'h',
      runner: sim,
      costs: ZERO_COST_PROFILE,
      allocationGuard: 'count',
    });
    const line = host.cpu.intr.createLine('bad');
    let got: unknown = 'not run';
    host.cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        line.deassert();
        got = host.pool.gethdr();
        host.pool.freem(got as never); // free is always allowed
        return true;
      },
      null,
      'bad-driver',
    );
    line.assert();
    sim.runUntilIdle();
    expect(got).not.toBeNull();
    expect(host.guard.violations).toBe(1);
    expect(host.snapshot().allocationViolations).toBe(1);
    host.pool.assertQuiescent();
  });

  it('counts spurious interrupts (line asserted, nothing to do) without failing', () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    const t = sim.clock.createTimer('glitch', () => nic.dev.glitch());
    t.arm(500);
    traffic(sim, nic.dev, 1000, 0, 1);
    sim.runUntilIdle();
    const src = host.cpu.intr.sources.find((s) => s.handlerName === 'toy0 intr')!;
    expect(src.stats).toMatchObject({ taken: 2, spurious: 1, stormDisables: 0 });
    expect(host.cpu.stats.spurious).toBe(1);
    expect(nic.ctx.stats.interrupts).toBe(1);
    expect(nic.delivered).toEqual([1]);
  });

  it('masks a source whose handler never claims anything (an unacknowledged storm)', () => {
    const { sim, host } = rig();
    const line = host.cpu.intr.createLine('stuck');
    host.cpu.intr.establish(line, IPL_NET, () => false, null, 'deaf-driver');
    line.assert();
    expect(sim.runUntilIdle()).toBe(true);
    expect(line.masked).toBe(true);
    expect(line.stats).toMatchObject({ taken: STORM_THRESHOLD, spurious: STORM_THRESHOLD, stormDisables: 1 });
  });

  it('counts stray interrupts on lines without a handler', () => {
    const { host } = rig();
    const line = host.cpu.intr.createLine('nobody');
    line.assert();
    expect(host.cpu.intr.stray).toBe(1);
    expect(host.cpu.runnable).toBe(false);
  });

  it('takes interrupts at preemption points between the items of a softnet loop', () => {
    const { sim, host } = rig();
    const cpu = host.cpu;
    const trace: string[] = [];
    const line = cpu.intr.createLine('nic');
    cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        line.deassert();
        trace.push(`intr@${cpu.now()}`);
        return true;
      },
      null,
      'nic',
    );
    const hw = sim.clock.createTimer('frames', () => {
      line.assert();
      if (sim.now() < usec(35)) hw.arm(usec(35));
    });
    hw.arm(usec(15));
    const loop = () => {
      for (let i = 0; i < 5; i++) {
        trace.push(`item${i}@${cpu.now()}`);
        expect(cpu.ipl).toBe(IPL_SOFTNET);
        cpu.charge(usec(10));
        cpu.preempt();
      }
    };
    cpu.sched.schedule(new Continuation('softnet-loop', IPL_SOFTNET, loop, null));
    sim.runUntilIdle();
    expect(trace).toEqual([
      'item0@0',
      'item1@10000',
      'intr@20000',
      'item2@20000',
      'item3@30000',
      'intr@40000',
      'item4@40000',
    ]);
  });
});

describe('spl', () => {
  it('atIpl restores the level even when the body throws', () => {
    const { host } = rig();
    expect(() =>
      host.cpu.atIpl(IPL_NET, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(host.cpu.ipl).toBe(IPL_NONE);
  });

  it('blocks interrupts at or below the raised level; splx lowering takes them', () => {
    const { host } = rig();
    const cpu = host.cpu;
    const line = cpu.intr.createLine('nic');
    let taken = 0;
    cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        line.deassert();
        taken++;
        return true;
      },
      null,
      'nic',
    );
    const s = cpu.splnet();
    line.assert();
    cpu.preempt();
    expect(taken).toBe(0);
    cpu.splx(s);
    expect(taken).toBe(1);
    expect(cpu.ipl).toBe(IPL_NONE);
  });
});
