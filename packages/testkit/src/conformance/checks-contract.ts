/**
 * The contract checks: lifecycle, frames, addresses and filters, the interrupt routine, the budget, the
 * storm, queues and close. (Fault checks are in `checks-faults.ts`.)
 *
 * @module
 */
import { rateThreshold } from '@ifnet/core';
import type { ConformanceCheck } from './checks.js';
import { KIND_DOWN, macBytes } from './probe.js';
import { MS } from './rig.js';
import { ContractViolation, expectRule } from './rules.js';
import { FRAME_SIZES, exchange, expectAccounted, mark, stream } from './traffic.js';

export const CONTRACT_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'lifecycle',
    title: 'attach by id through DI/autoconf, up, traffic, down (quiet), up again, traffic, detach',
    rules: ['attach', 'up-down', 'detach'],
    async run(rig) {
      const nic = rig.up();
      exchange(rig, nic, [60, 1514], 'up-down');
      await nic.ifp.down();
      const polls = nic.ifp.counters.polls;
      const got = rig.delivered(nic).length;
      for (let i = 0; i < 3; i++) rig.peerSend(nic, 60);
      rig.run(10 * MS);
      expectRule(rig.delivered(nic).length === got, 'up-down', () => `${nic.ifp.name} delivered frames while down`);
      expectRule(
        nic.ifp.counters.polls === polls,
        'up-down',
        () =>
          `${nic.ifp.name} was polled ${nic.ifp.counters.polls - polls} time(s) after down(): if_stop must mask the device's interrupts`,
      );
      nic.ifp.upIf();
      rig.run(MS);
      exchange(rig, nic, [60, 1514], 'up-down');
    },
  },
  {
    id: 'frames',
    title: 'frames of every size from 60 bytes to the MTU, both ways, byte for byte, all accounted',
    rules: ['frames', 'accounting'],
    async run(rig) {
      const nic = rig.up();
      const from = mark(rig, nic);
      exchange(rig, nic, FRAME_SIZES, 'frames');
      await expectAccounted(rig, nic, from, FRAME_SIZES.length, 'frames of every size');
    },
  },
  {
    id: 'lladdr-mtu',
    title: 'a new MAC address is received, the old one no longer; MTU changes carry full-size frames',
    rules: ['lladdr', 'mtu'],
    run(rig) {
      const nic = rig.up();
      const ifp = nic.ifp;
      const fresh = macBytes('02:1f:aa:bb:cc:01');
      ifp.setLinkAddress(fresh);
      rig.run(MS);
      (nic as { mac: Uint8Array }).mac = fresh;
      exchange(rig, nic, [60, 1514], 'lladdr');
      const mtus = [1280];
      if (ifp.maxMtu > 1500) mtus.push(Math.min(ifp.maxMtu, 9000));
      for (const mtu of mtus) {
        try {
          ifp.setMtu(mtu);
        } catch (e) {
          throw new ContractViolation(
            'mtu',
            `setMtu(${mtu}) was refused (${(e as Error).message}) though maxMtu is ${ifp.maxMtu}`,
          );
        }
        rig.run(MS);
        exchange(rig, nic, [60, mtu + 14], 'mtu');
      }
      ifp.setMtu(1500);
    },
  },
  {
    id: 'filters',
    title:
      'broadcast received; multicast received once joined and not after leaving; promiscuous mode passes other stations up',
    rules: ['broadcast', 'multicast', 'promiscuous'],
    run(rig) {
      const nic = rig.up();
      const ifp = nic.ifp;
      const got = () => new Set(rig.delivered(nic));
      const bcast = rig.peerSend(nic, 64, macBytes('ff:ff:ff:ff:ff:ff'));
      rig.run(2 * MS);
      expectRule(
        got().has(bcast),
        'broadcast',
        () =>
          `a broadcast frame was not delivered on ${ifp.name} (is broadcast reception enabled in the receive filter?)`,
      );
      const group = macBytes('01:00:5e:00:00:fb');
      ifp.joinMulticast(group);
      rig.run(MS);
      const m1 = rig.peerSend(nic, 64, group);
      rig.run(2 * MS);
      expectRule(
        got().has(m1),
        'multicast',
        () => `a frame to the joined group 01:00:5e:00:00:fb was not delivered: program joined groups in updateFilter`,
      );
      ifp.leaveMulticast(group);
      rig.run(MS);
      const m2 = rig.peerSend(nic, 64, group);
      const m3 = rig.peerSend(nic, 64, macBytes('01:00:5e:7f:00:01'));
      rig.run(2 * MS);
      expectRule(
        !got().has(m2) && !got().has(m3),
        'multicast',
        () => 'a frame to a group the interface is not in was delivered',
      );
      const other = macBytes('02:1f:99:99:99:99');
      const inputs = () => rig.obs.inputs.get(ifp.name) ?? 0;
      const o1 = rig.peerSend(nic, 64, other);
      rig.run(2 * MS);
      expectRule(
        !got().has(o1),
        'promiscuous',
        () => 'a frame for another station was delivered without promiscuous mode',
      );
      ifp.setPromiscuous(true);
      rig.run(MS);
      const before = inputs();
      rig.peerSend(nic, 64, other);
      rig.run(2 * MS);
      expectRule(
        inputs() > before,
        'promiscuous',
        () =>
          `with IFF_PROMISC set, a frame for another station never reached if_input on ${ifp.name}: set the device's promiscuous bit in updateFilter`,
      );
      ifp.setPromiscuous(false);
      rig.run(MS);
      exchange(rig, nic, [60], 'promiscuous');
    },
  },
  {
    id: 'interrupts',
    title:
      'single frames at idle each interrupt, are deferred to the poll and delivered at once (unmasked after every round)',
    rules: ['interrupt-routine', 'unmask', 'no-alloc-in-interrupt'],
    run(rig) {
      const nic = rig.up(5 * MS);
      for (let i = 0; i < 8; i++) {
        const claimed = rig.obs.intrClaimed;
        const seq = rig.peerSend(nic, 60);
        rig.run(MS);
        const delivered = rig.delivered(nic).includes(seq);
        expectRule(delivered, 'unmask', () =>
          i === 0
            ? `a frame sent to an idle interface was not delivered within 1 ms (${rig.obs.intrClaimed - claimed} interrupts claimed): enable the receive interrupt in if_init`
            : `frame ${i + 1} of a slow sequence was not delivered within 1 ms of arriving (interrupts claimed: ${rig.obs.intrClaimed}, polls: ${nic.ifp.counters.polls}): after the first poll round the device was never unmasked again — intrEnable must undo what intrDisable did`,
        );
        expectRule(
          rig.obs.intrClaimed > claimed,
          'interrupt-routine',
          () =>
            `a frame was delivered without an interrupt being claimed: the interrupt routine must return true when the device had a cause pending`,
        );
        rig.run(2 * MS);
      }
      const maxAccesses = rig.subject.deviceClass === 'dma' ? 8 : 4096;
      expectRule(
        rig.obs.maxBusAccessesInIntr <= maxAccesses,
        'interrupt-routine',
        () =>
          `the interrupt routine made ${rig.obs.maxBusAccessesInIntr} register accesses in one run: a DMA driver's interrupt routine only acknowledges the cause and defers; do the work in the poll`,
      );
    },
  },
  {
    id: 'budget',
    title: 'a backlog larger than the budget is polled in rounds of at most `budget` packets, and all of it delivered',
    rules: ['budget'],
    run(rig) {
      const nic = rig.up();
      const ctx = nic.ifp.pollContexts[0];
      const backlog = Math.min(200, Number.isFinite(ctx.capacity) ? ctx.capacity : 200);
      for (const l of rig.lines()) l.mask();
      const sent: number[] = [];
      for (let i = 0; i < backlog; i++) sent.push(rig.peerSend(nic, 60));
      rig.run(5 * MS);
      for (const l of rig.lines()) l.unmask();
      rig.run(50 * MS);
      const got = new Set(rig.delivered(nic));
      const missing = sent.filter((s) => !got.has(s)).length;
      expectRule(
        missing === 0,
        'budget',
        () =>
          `${missing} of a backlog of ${backlog} frames (budget ${ctx.weight}) were not delivered: when a poll uses its whole budget, return the budget (if_poll true) so the framework polls again`,
      );
      if (backlog > ctx.weight) {
        expectRule(
          ctx.stats.pollAgain > 0 || ctx.stats.raceRechecks > 0,
          'budget',
          () =>
            `a backlog of ${backlog} frames with a budget of ${ctx.weight} was drained without a single repeated poll: the poll must stop at its budget`,
        );
      }
    },
  },
  {
    id: 'storm',
    title: 'an interrupt storm (50,000 frames/s) moves the interface to tick polling; all frames accounted',
    rules: ['tick-deferral', 'mask', 'accounting'],
    rig: { policy: rateThreshold() },
    async run(rig) {
      const nic = rig.up();
      const from = mark(rig, nic);
      const count = 5000;
      stream(rig, nic, 50_000, count);
      rig.run(120 * MS);
      const ticks = nic.ifp.pollContexts.reduce((s, c) => s + c.stats.tickDeferrals, 0);
      expectRule(
        ticks > 0,
        'tick-deferral',
        () =>
          `50,000 frames/s for 100 ms caused ${rig.obs.intrClaimed} interrupts and no tick deferral: does the interrupt routine call ctx.defer() (which feeds the mitigation policy)?`,
      );
      await expectAccounted(rig, nic, from, count, 'an interrupt storm');
    },
  },
  {
    id: 'queues-close',
    title:
      'each poll context has its own interrupt line; closing from inside a running poll waits for it, then nothing polls',
    rules: ['per-queue', 'close-waits'],
    async run(rig) {
      const nic = rig.up();
      const ifp = nic.ifp;
      exchange(rig, nic, [60, 60, 60, 60], 'per-queue');
      for (const [line, ctxs] of rig.obs.lineContexts) {
        expectRule(
          ctxs.size === 1,
          'per-queue',
          () =>
            `interrupts on ${line} deferred several poll contexts (${[...ctxs].join(', ')}): each queue's interrupt defers its own context only`,
        );
      }
      for (const [ctx, ls] of rig.obs.contextLines) {
        expectRule(
          ls.size === 1,
          'per-queue',
          () => `${ctx} was deferred by several interrupt lines (${[...ls].join(', ')})`,
        );
      }
      rig.peerSend(nic, 60, nic.mac, KIND_DOWN);
      rig.run(5 * MS);
      const done = rig.probe.downDone;
      expectRule(done !== undefined, 'close-waits', () => 'the closing frame never reached the protocol');
      let resolved = false;
      void done!.then(() => {
        resolved = true;
      });
      await done;
      expectRule(resolved, 'close-waits', () => 'down() from inside the poll never resolved');
      for (const ctx of ifp.pollContexts) {
        expectRule(
          ctx.state === 'disabled',
          'close-waits',
          () => `${ctx.name} is '${ctx.state}' after down() resolved: every context must be disabled`,
        );
      }
      const polls = ifp.counters.polls;
      rig.peerSend(nic, 60);
      rig.run(10 * MS);
      expectRule(ifp.counters.polls === polls, 'close-waits', () => `${ifp.name} was polled after down() resolved`);
    },
  },
];
