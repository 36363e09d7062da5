import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_PROFILE, type PollOps, usec } from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';

describe('poll context cycle (seed 000 + seed 003)', () => {
  it('masks on interrupt, polls at softnet, unmasks on completion', () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    traffic(sim, nic.dev, 1000, 0, 1);
    expect(sim.runUntilIdle()).toBe(true);
    expect(nic.delivered).toEqual([1]);
    // IMS at t=0 is if_init; then one mask/unmask pair at the interrupt time (zero-cost CPU).
    expect(nic.dev.trace).toEqual(['t=0 IMS', 't=1000 IMC', 't=1000 IMS']);
    expect(nic.ctx.stats).toMatchObject({
      interrupts: 1,
      schedules: 1,
      polls: 1,
      pollAgain: 0,
      completions: 1,
      work: 1,
    });
    expect(nic.ctx.state).toBe('idle');
    expect(nic.ifp.counters.interrupts).toBe(1);
    host.pool.assertQuiescent();
  });

  it('charges the cost profile: the poll runs after interrupt entry/exit and continuation costs', () => {
    const { sim, host } = rig({ costs: DEFAULT_COST_PROFILE });
    const nic = toyNic(host);
    traffic(sim, nic.dev, 1000, 0, 1);
    sim.runUntilIdle();
    // The device sees each register access at the CPU's time. Interrupt entry (1500 ns) → ICR read at
    // 2500 (+100 per access) → IMC at 2600; exit 500 + continuation 200 → RXPOP at 3400, ifInput 100,
    // empty RXPOP at 3600 → IMS at 3700.
    expect(nic.dev.trace).toEqual(['t=0 IMS', 't=2600 IMC', 't=3700 IMS']);
  });

  it('work == budget means poll again, re-queued; the framework stops at the first short poll', () => {
    const { sim, host } = rig();
    const nic = toyNic(host, { weight: 64 });
    traffic(sim, nic.dev, 1000, 0, 150);
    sim.runUntilIdle();
    expect(nic.delivered).toHaveLength(150);
    expect(nic.delivered[149]).toBe(150);
    expect(nic.ctx.stats).toMatchObject({ interrupts: 1, polls: 3, pollAgain: 2, completions: 1, work: 150 });
    expect(nic.ifp.counters.pollAgain).toBe(2);
    expect(nic.dev.trace).toEqual(['t=0 IMS', 't=1000 IMC', 't=1000 IMS']);
  });

  it("seed 000's boolean if_poll is the one-context case: true → run again, false → done", () => {
    const { sim, host } = rig();
    const nic = toyNic(host, { weight: 64, booleanPoll: true });
    traffic(sim, nic.dev, 1000, 0, 150);
    sim.runUntilIdle();
    expect(nic.delivered).toHaveLength(150);
    expect(nic.ctx.stats).toMatchObject({ polls: 3, pollAgain: 2, completions: 1 });
  });

  it('defer is idempotent while a round is pending: one poll for several interrupts', () => {
    const { sim, host } = rig();
    const nic = toyNic(host, { maskOnDefer: false });
    // PIO-style: not masked on defer; a second frame's interrupt arrives before the poll runs.
    host.cpu.atIpl(2, () => {
      nic.dev.receive(1);
      host.cpu.preempt(); // interrupt taken (IPL_NET > softnet), poll queued but cannot run at softnet
      nic.dev.receive(2);
      host.cpu.preempt();
    });
    sim.runUntilIdle();
    expect(nic.ctx.stats.interrupts).toBe(2);
    expect(nic.ctx.stats.schedules).toBe(1);
    expect(nic.ctx.stats.polls).toBe(1);
    expect(nic.delivered).toEqual([1, 2]);
    expect(host.cpu.sched.stats.coalesced).toBe(0);
  });

  it('two busy interfaces share the CPU in budget-sized turns (fairness)', () => {
    const { sim, host } = rig();
    const a = toyNic(host, { weight: 64, fifoSize: 512 });
    const b = toyNic(host, { weight: 64, fifoSize: 512 });
    const order: string[] = [];
    for (const nic of [a, b]) {
      const ops = nic.ctx.ops as PollOps;
      const poll = ops.poll.bind(ops);
      ops.poll = (ctx, budget) => {
        const n = poll(ctx, budget);
        order.push(`${ctx.ifp.name}:${n}`);
        return n;
      };
    }
    traffic(sim, a.dev, 1000, 0, 200);
    traffic(sim, b.dev, 1000, 0, 200);
    sim.runUntilIdle();
    expect(order).toEqual(['toy0:64', 'toy1:64', 'toy0:64', 'toy1:64', 'toy0:64', 'toy1:64', 'toy0:8', 'toy1:8']);
  });

  it('enforces the budget: a poll that reports more than its budget is clamped and counted', () => {
    const { sim, host } = rig();
    const nic = toyNic(host, { weight: 8 });
    const ops = nic.ctx.ops as PollOps;
    const poll = ops.poll.bind(ops);
    let calls = 0;
    ops.poll = (ctx, budget) => {
      calls++;
      const n = poll(ctx, budget);
      return calls === 1 ? budget + 5 : n;
    };
    traffic(sim, nic.dev, 1000, 0, 10);
    sim.runUntilIdle();
    expect(nic.ctx.stats.budgetOverruns).toBe(1);
    expect(nic.ctx.stats.work).toBe(8 + 2);
    expect(nic.ctx.stats.polls).toBe(2);
    expect(nic.ctx.stats.pollAgain).toBe(1);
  });
});

describe('the completion race (seed 003: re-check after unmask)', () => {
  // An edge-mode device latches an RX cause only when a frame arrives while unmasked: a frame that lands
  // after the poll's last check but before the unmask raises no interrupt. Only the re-check saves it.
  function raceRig(recheck: boolean) {
    const { sim, host } = rig();
    const nic = toyNic(host);
    nic.dev.edgeMode = true;
    const ops = nic.ctx.ops as PollOps;
    const poll = ops.poll.bind(ops);
    let injected = false;
    ops.poll = (ctx, budget) => {
      const n = poll(ctx, budget);
      if (!injected) {
        injected = true;
        nic.dev.receive(99); // hardware acts after the last RXPOP, before the unmask
      }
      return n;
    };
    if (!recheck) ops.workPending = () => false;
    traffic(sim, nic.dev, 1000, 0, 1);
    sim.runUntilIdle();
    return nic;
  }

  it('a frame arriving between the last check and the unmask is picked up', () => {
    const nic = raceRig(true);
    expect(nic.delivered).toEqual([1, 99]);
    expect(nic.ctx.stats.raceRechecks).toBe(1);
    expect(nic.ifp.counters.raceRechecks).toBe(1);
    expect(nic.ctx.stats.interrupts).toBe(1);
    expect(nic.ctx.stats.polls).toBe(2);
    expect(nic.dev.queued).toBe(0);
  });

  it('without the re-check the same frame is stranded (why the framework does it)', () => {
    const nic = raceRig(false);
    expect(nic.delivered).toEqual([1]);
    expect(nic.dev.queued).toBe(1);
  });
});

describe('disable on close (napi_disable)', () => {
  it('closing an idle interface disables its contexts at once', async () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    await nic.ifp.down();
    expect(nic.ctx.state).toBe('disabled');
    traffic(sim, nic.dev, 1000, 0, 5);
    sim.runUntilIdle();
    expect(nic.ctx.stats.interrupts).toBe(0); // if_stop masked everything
    expect(nic.delivered).toEqual([]);
  });

  it('a queued poll is cancelled', async () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    traffic(sim, nic.dev, 1000, 0, 5);
    let closed: Promise<void> | undefined;
    host.cpu.atIpl(2, () => {
      sim.clock.advanceTo(1000);
      host.cpu.preempt(); // the interrupt is taken, the poll is queued but cannot run (we are at softnet)
      expect(nic.ctx.state).toBe('scheduled');
      closed = nic.ifp.down();
      expect(nic.ctx.state).toBe('disabled');
    });
    await closed;
    sim.runUntilIdle();
    expect(nic.ctx.stats.polls).toBe(0);
  });

  it('closing from inside a running poll waits for it to return and never polls again', async () => {
    const { sim, host } = rig();
    let closed: Promise<void> | undefined;
    let stateWhenClosing = '';
    const nic = toyNic(host, {
      weight: 16,
      duringPoll: (ctx) => {
        if (closed === undefined) {
          closed = ctx.ifp.down();
          stateWhenClosing = ctx.state;
        }
      },
    });
    let resolved = false;
    traffic(sim, nic.dev, 1000, 0, 40);
    sim.runUntilIdle();
    expect(stateWhenClosing).toBe('running');
    await closed!.then(() => {
      resolved = true;
    });
    expect(resolved).toBe(true);
    expect(nic.ctx.state).toBe('disabled');
    // The poll that was running used its whole budget, but it is not re-queued after the close.
    expect(nic.ctx.stats.polls).toBe(1);
    expect(nic.delivered).toHaveLength(16);
  });

  it('enable after disable brings the context back', async () => {
    const { sim, host } = rig();
    const nic = toyNic(host);
    await nic.ifp.down();
    nic.ifp.upIf();
    expect(nic.ctx.state).toBe('idle');
    traffic(sim, nic.dev, usec(5), 0, 3);
    sim.runUntilIdle();
    expect(nic.delivered).toEqual([1, 2, 3]);
  });
});
