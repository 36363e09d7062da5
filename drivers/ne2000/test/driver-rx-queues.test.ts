import { type Mbuf, Simulation } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import type { Ne2000Options } from '../src/index.js';
import { type NeNic, addNe, drops, mac, makePlatform } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';

/** One host with an ne, its wire a frame sink that injects frames straight into the card's port. */
function rig(options: Ne2000Options = {}, layers: string[] = []) {
  const sim = new Simulation({ seed: 3 });
  const setup = makePlatform(options);
  const nic = addNe(sim, setup, 'h', MAC);
  const sink = new FrameSink({ clock: sim.clock });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  const log = setup.log(nic.host);
  log.keep = false;
  log.layers = layers;
  const frame = new Uint8Array(60);
  frame.set(mac(MAC), 0);
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x88, 0xb5], 6);
  /** `n` frames arriving at once (back to back faster than any CPU reads them). */
  const burst = (n: number) => {
    for (let i = 0; i < n; i++) {
      frame[14] = i;
      sink.send(frame);
    }
  };
  return { sim, nic, sink, log, burst };
}

/** The mbufs now on a queue, in order. */
function onQueue(head: Mbuf | null): Mbuf[] {
  const out: Mbuf[] = [];
  for (let m = head; m !== null; m = m.nextpkt) out.push(m);
  return out;
}

/** Records, for each completed-queue enqueue, whether the CPU was in interrupt context. */
function spyComplete(nic: NeNic): boolean[] {
  const seen: boolean[] = [];
  const rx = nic.sc.rx;
  const complete = rx.complete.bind(rx);
  rx.complete = (m: Mbuf) => {
    seen.push(nic.host.cpu.inInterrupt);
    return complete(m);
  };
  return seen;
}

describe('ne: the free queue → completed queue → if_input cycle (seed 000, PIO)', () => {
  it('the interrupt routine fills pre-allocated mbufs; the poll hands exactly those up and tops up', () => {
    const { sim, nic, log, burst } = rig({ rxBuffers: 8 });
    const rx = nic.sc.rx;
    expect(rx.free.length).toBe(8);
    const preallocated = new Set(onQueue(rx.free.head));
    const inIntr = spyComplete(nic);
    const handedUp: { m: Mbuf; completedLeft: number; inIntr: boolean }[] = [];
    nic.ifp.inputHook = (_ifp, m) => {
      handedUp.push({ m, completedLeft: rx.completed.length, inIntr: nic.host.cpu.inInterrupt });
      return 0;
    };
    burst(5);
    sim.runUntilIdle();
    expect(log.packets).toBe(5);
    // Every completed-queue enqueue happened in the interrupt routine, every if_input in the poll.
    expect(inIntr).toEqual([true, true, true, true, true]);
    expect(handedUp.every((h) => !h.inIntr)).toBe(true);
    // The mbufs handed up are the pre-allocated ones, in arrival order, drained from the completed queue.
    expect(handedUp.every((h) => preallocated.has(h.m))).toBe(true);
    expect(handedUp.map((h) => h.completedLeft)).toEqual([4, 3, 2, 1, 0]);
    // The poll topped the free queue back up to the target.
    expect(rx.free.length).toBe(rx.target);
    expect(rx.completed.length).toBe(0);
    expect(nic.host.guard.violations).toBe(0);
  });
});

describe('ne: the pre-allocation target', () => {
  it('drop-and-grow: an empty free queue drops the frame (counted), grows the target and leaves the rest to the poll', () => {
    const { sim, nic, burst } = rig({ rxBuffers: 4, rxBuffersMin: 4, rxBuffersMax: 128 });
    const rx = nic.sc.rx;
    burst(30);
    sim.runUntilIdle();
    // The interrupt routine filled the 4 pre-allocated mbufs, dropped the 5th frame (seed 000) and, with
    // nothing left to fill, stopped and masked PRX: the other 25 waited in the card's ring until the poll
    // had run, which drained them itself at softnet, where it may allocate.
    expect(nic.ifp.counters.drops['ne.rx.nobufs']).toBe(1);
    expect(nic.sc.events['ne.rx.starved']).toBe(1);
    expect(nic.ifp.counters.ipackets).toBe(29);
    expect(nic.ifp.counters.ipackets + drops(nic.ifp)).toBe(30); // every frame accounted for
    expect(rx.stats.empty).toBeGreaterThanOrEqual(1);
    expect(rx.target).toBeGreaterThan(8); // doubled on the empty take, grown again while the poll drained
    expect(rx.free.length).toBe(rx.target);
    expect(nic.sc.tickDriven).toBe(false); // unmasked again when the poll round completed
    // A burst within the grown target: nothing is dropped now.
    const n = rx.target - 1;
    burst(n);
    sim.runUntilIdle();
    expect(nic.ifp.counters.drops['ne.rx.nobufs']).toBe(1);
    expect(nic.ifp.counters.ipackets).toBe(29 + n);
  });

  it('grows by a quarter when a burst takes the free queue below its low-water mark (no drop)', () => {
    const { sim, nic, burst } = rig({ rxBuffers: 16 });
    const rx = nic.sc.rx;
    burst(13); // 3 left < 16 / 4
    sim.runUntilIdle();
    expect(drops(nic.ifp)).toBe(0);
    expect(rx.target).toBe(20);
    expect(rx.stats.grows).toBe(1);
    expect(rx.free.length).toBe(20);
  });

  it('shrinks slowly (an eighth per second) under low load, not below the minimum', () => {
    const { sim, nic, burst } = rig({ rxBuffers: 64, rxBuffersMin: 8 });
    const rx = nic.sc.rx;
    const targets: number[] = [];
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 10; i++) {
        burst(1);
        sim.runFor(100_000_000); // one frame every 100 ms
      }
      targets.push(rx.target);
    }
    // 64 → 56 → 49 → ... : an eighth per second.
    expect(targets.slice(0, 4)).toEqual([64, 56, 49, 43]);
    for (let i = 1; i < targets.length; i++) {
      expect(targets[i]).toBeLessThanOrEqual(targets[i - 1]);
      expect(targets[i - 1] - targets[i]).toBeLessThanOrEqual(Math.max(1, targets[i - 1] >> 3));
    }
    expect(targets.at(-1)).toBeLessThan(30);
    expect(rx.free.length).toBeLessThanOrEqual(rx.target);
    expect(drops(nic.ifp)).toBe(0);
  });
});

describe('ne: no allocation in interrupt context', () => {
  it('under bursts that exhaust the free queue, the pool is never asked from the interrupt routine', () => {
    const { sim, nic, burst } = rig({ rxBuffers: 4 });
    const pool = nic.host.pool;
    const cpu = nic.host.cpu;
    let allocInIntr = 0;
    let allocs = 0;
    const getcl = pool.getcl.bind(pool);
    pool.getcl = () => {
      allocs++;
      if (cpu.inInterrupt) allocInIntr++;
      return getcl();
    };
    const inIntr = spyComplete(nic);
    for (let k = 0; k < 5; k++) {
      burst(40);
      sim.runUntilIdle();
    }
    // Frames were copied in by the interrupt routine (and, once it was starved, by the poll at softnet)…
    expect(inIntr.filter((x) => x).length).toBeGreaterThan(20);
    expect(inIntr.length + (nic.ifp.counters.drops['ne.rx.nobufs'] ?? 0)).toBe(200);
    expect(allocs).toBeGreaterThan(100);
    expect(allocInIntr).toBe(0);
    // The host's guard is armed (mode 'throw'): a violation would have thrown out of the simulation.
    expect(nic.host.guard.mode).toBe('throw');
    expect(nic.host.guard.violations).toBe(0);
  });
});
