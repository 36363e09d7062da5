import type { ConformanceCheck } from './checks.js';
import { KIND_THROW } from './probe.js';
import { MS, SEC } from './rig.js';
import { ContractViolation, expectRule } from './rules.js';
import { exchange, expectAccounted, mark } from './traffic.js';

export const FAULT_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'spurious-interrupt',
    title: 'an interrupt the device did not raise is not claimed, and the interface keeps working',
    rules: ['spurious-interrupt'],
    run(rig) {
      const nic = rig.up(5 * MS);
      for (const line of rig.lines()) {
        const runs = rig.obs.intrRuns;
        const unclaimed = rig.obs.intrUnclaimed;
        line.assert();
        rig.sim.runUntilTrue(() => rig.obs.intrRuns > runs, MS, 'the spurious interrupt');
        line.deassert();
        expectRule(
          rig.obs.intrUnclaimed > unclaimed,
          'spurious-interrupt',
          () =>
            `the interrupt routine claimed an interrupt on ${line.name} that the device never raised: return false when the cause register reads 0, so the kernel can count spurious interrupts and stop a storm`,
        );
      }
      rig.run(MS);
      exchange(rig, nic, [60, 1514], 'spurious-interrupt');
    },
  },
  {
    id: 'lost-interrupt',
    title:
      'with the interrupt lost, a transmit never completes; the transmit watchdog resets the interface, which works again',
    rules: ['lost-interrupt'],
    run(rig) {
      const nic = rig.up();
      const ifp = nic.ifp;
      exchange(rig, nic, [60], 'lost-interrupt');
      for (const l of rig.lines()) l.mask();
      const before = ifp.counters.drops['watchdog.timeout'] ?? 0;
      rig.hostSend(nic, 60);
      rig.run(12 * SEC);
      const fired = (ifp.counters.drops['watchdog.timeout'] ?? 0) - before;
      for (const l of rig.lines()) l.unmask();
      expectRule(
        fired > 0,
        'lost-interrupt',
        () =>
          `a frame was transmitted while the device's interrupts were lost and the transmit watchdog never fired in 12 s: set ifp.watchdogTimer (seconds) and call host.armWatchdog() when you give frames to the device, clear it when they complete, and reset the device in ops.watchdog`,
      );
      expectRule(
        ifp.ops.watchdog !== undefined,
        'lost-interrupt',
        () => 'the interface has no watchdog operation to reset the device',
      );
      rig.run(5 * MS);
      exchange(rig, nic, [60, 1514], 'lost-interrupt');
    },
  },
  {
    id: 'pool-exhaustion',
    title:
      'with the mbuf pool empty, frames are dropped at the device and counted; the driver refills once mbufs return',
    rules: ['pool-exhaustion', 'accounting'],
    async run(rig) {
      const nic = rig.up();
      const from = mark(rig, nic);
      const pool = rig.host.pool;
      const held = [];
      for (let m = pool.getcl(); m !== null; m = pool.getcl()) held.push(m);
      for (let m = pool.get(); m !== null; m = pool.get()) held.push(m);
      let offered = 0;
      for (let i = 0; i < 600; i++) {
        rig.peerSend(nic, 60);
        offered++;
        if (i % 16 === 15) rig.run(100_000);
      }
      rig.run(10 * MS);
      for (const m of held) pool.freem(m);
      const late: number[] = [];
      for (let i = 0; i < 40; i++) {
        late.push(rig.peerSend(nic, 60));
        offered++;
        rig.run(200_000);
      }
      rig.run(10 * MS);
      const got = new Set(rig.delivered(nic));
      const lateOk = late.slice(20).every((s) => got.has(s));
      expectRule(
        lateOk,
        'pool-exhaustion',
        () =>
          `after the pool was refilled, frames were still not delivered (${late.filter((s) => got.has(s)).length} of the last 40): retry the refill at every poll, and make sure a device that ran out of buffers still interrupts (receive overrun) so the poll runs`,
      );
      await expectAccounted(rig, nic, from, offered, 'pool exhaustion');
    },
  },
  {
    id: 'ring-overrun',
    title: 'a burst larger than the receive ring while interrupts are held off: overrun counted by name, then recovery',
    rules: ['ring-overrun', 'accounting'],
    async run(rig) {
      const nic = rig.up();
      const from = mark(rig, nic);
      for (const l of rig.lines()) l.mask();
      // Larger than what the device can hold (its first context's declared capacity), but small enough
      // for a device's own miss counter to count (a DP8390's tally counter stops at 255).
      const cap = nic.ifp.pollContexts[0].capacity;
      const burst = Number.isFinite(cap) ? Math.min(2000, 2 * cap + 100) : 2000;
      for (let i = 0; i < burst; i++) rig.peerSend(nic, 60);
      rig.run(20 * MS);
      for (const l of rig.lines()) l.unmask();
      rig.run(20 * MS);
      exchange(rig, nic, [60, 1514], 'ring-overrun');
      await expectAccounted(rig, nic, from, burst + 2, 'a receive ring overrun');
    },
  },
  {
    id: 'link-flap',
    title:
      'unplugging the cable reports link down, plugging it back reports link up (if the device can see the carrier), and traffic resumes',
    rules: ['link-flap'],
    run(rig) {
      const nic = rig.up();
      const ifp = nic.ifp;
      exchange(rig, nic, [60], 'link-flap');
      nic.cable.unplug();
      rig.run(100 * MS);
      if (rig.subject.linkState === false) {
        // The device cannot see the carrier: only recovery is checked.
        nic.cable.plug();
        rig.run(100 * MS);
        exchange(rig, nic, [60, 1514], 'link-flap');
        return;
      }
      expectRule(
        ifp.linkState === 'down',
        'link-flap',
        () =>
          `100 ms after the cable was pulled ${ifp.name}'s link state is '${ifp.linkState}': handle the device's link-change cause in the poll and call ifp.setLinkState`,
      );
      nic.cable.plug();
      rig.run(100 * MS);
      expectRule(
        ifp.linkState === 'up',
        'link-flap',
        () => `100 ms after the cable was plugged back ${ifp.name}'s link state is '${ifp.linkState}'`,
      );
      exchange(rig, nic, [60, 1514], 'link-flap');
    },
  },
  {
    id: 'poll-exception',
    title:
      'an exception thrown inside the poll is contained and counted, the interface is reset and works; the other interface never stops',
    rules: ['poll-exception'],
    rig: { nics: 2 },
    run(rig) {
      const [a, b] = rig.nics;
      a.ifp.upIf();
      b.ifp.upIf();
      rig.run(MS);
      exchange(rig, a, [60], 'poll-exception');
      exchange(rig, b, [60], 'poll-exception');
      const faults = a.ifp.counters.faults;
      const resets = a.ifp.counters.resets;
      rig.peerSend(a, 60, a.mac, KIND_THROW);
      try {
        rig.sim.runFor(5 * MS);
      } catch (e) {
        throw new ContractViolation(
          'poll-exception',
          `the exception thrown inside ${a.ifp.name}'s poll escaped the poll continuation (${(e as Error).message}): the framework must contain it`,
        );
      }
      expectRule(
        a.ifp.counters.faults > faults,
        'poll-exception',
        () =>
          `the exception inside ${a.ifp.name}'s poll was not counted (ifp.counters.faults): the framework must count what it contains`,
      );
      exchange(rig, b, [60, 1514], 'poll-exception');
      expectRule(b.ifp.counters.faults === 0, 'poll-exception', () => `${b.ifp.name} faulted too: ${b.ifp.lastFault}`);
      rig.run(50 * MS);
      expectRule(
        a.ifp.counters.resets > resets && a.ifp.up,
        'poll-exception',
        () =>
          `${a.ifp.name} was not reset after the contained exception (resets ${a.ifp.counters.resets - resets}, ${a.ifp.up ? 'up' : 'down'}; last fault: ${a.ifp.lastFault}): stop then init must bring the device back to a working state`,
      );
      exchange(rig, a, [60, 1514], 'poll-exception');
    },
  },
];
