import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Simulation, alwaysUnmask } from '@ifnet/core';
import { TrafficSource, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { addNe, mac, makePlatform } from './driver-helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MAC = '02:00:00:00:00:01';
const MS = 1_000_000;

function newSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
}

describe('ne: the steady-state receive path allocates nothing on the JavaScript heap', () => {
  it('200,000 frames: cable → card ring → interrupt PIO into pre-allocated mbufs → poll → if_input → ether → protocol', async () => {
    const sim = new Simulation({ seed: 5 });
    const setup = makePlatform({ rxBuffers: 64 });
    const nic = addNe(sim, setup, 'h', MAC, { mitigationPolicy: alwaysUnmask });
    const log = setup.log(nic.host);
    log.keep = false;
    // 120,000 frames/s of 60..1514 bytes (a card on a faster segment than its own 10 Mb/s transmitter):
    // the interrupt routine drains every frame, the poll keeps up, the ring never overflows.
    const gen = new TrafficSource(sim.clock, { rate: 120_000, size: [60, 1514, 590, 128], dst: mac(MAC) });
    new VirtualCable(sim.clock, { bitRate: 10e9 }).connect(gen, nic.dev);
    nic.ifp.upIf();
    gen.start(0);

    sim.runUntil(300 * MS); // warm-up: every function reaches optimised code
    const warm = log.packets;
    expect(warm).toBeGreaterThan(30_000);

    let scavenges = 0;
    let majors = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
        else majors++;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
    gc();
    await new Promise((r) => setImmediate(r));
    scavenges = 0;
    majors = 0;
    const newBefore = newSpaceUsed();
    const t0 = log.packets;
    // 200,000 frames, ending before 2^31 ns of virtual time: beyond it V8 boxes every time value the
    // simulation computes (no longer a small integer), which is core's cost, not the packet path's.
    sim.runUntil(300 * MS + (200_000 / 120_000) * 1000 * MS);
    const frames = log.packets - t0;
    const young = newSpaceUsed() - newBefore;
    await new Promise((r) => setImmediate(r));
    obs.disconnect();
    console.log(
      `ne heap test: ${frames} frames, young generation +${young} B (${(young / frames).toFixed(3)} B/frame), ` +
        `${scavenges} scavenges, ${majors} major GCs; interrupts ${nic.sc.ctx.stats.interrupts}`,
    );
    expect(frames).toBe(200_000);
    expect(nic.dev.stats.rxMissed).toBe(0);
    expect(nic.ifp.counters.drops).toEqual({});
    // 16 B per frame would be 3.2 MB and would have forced scavenges; the bound is 4 B/frame. What remains
    // is not on the packet path (heap numbers for times in the simulation loop and the hardclock).
    expect(scavenges).toBe(0);
    expect(young).toBeLessThan(800_000);
  });
});
