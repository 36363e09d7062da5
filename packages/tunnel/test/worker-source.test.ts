import { RealTimeRunner, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { registerInet } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { FrameRing, WorkerTrafficSource } from '../src/index.js';

function realHost() {
  const runner = new RealTimeRunner();
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform);
  const host = platform.createHost({ name: 'h', runner, hz: 1000 });
  const dev = new E1000Device({ mac: '02:00:00:00:00:02' });
  host.attachDevice(dev);
  const ifp = (host.autoconf()[0].driver as WmSoftc).ifp;
  ifp.upIf();
  return { runner, host, dev, ifp };
}

describe('worker-thread traffic source (SharedArrayBuffer ring, real clock)', () => {
  it('feeds an e1000 host from a worker: every generated frame is accounted for', async () => {
    const { runner, dev, ifp } = realHost();
    const src = new WorkerTrafficSource(runner.clock, { rate: 20_000, count: 4000 });
    expect(src.startMs).toBeNaN();
    src.attach(dev);
    const before = performance.timeOrigin + performance.now();
    src.start();
    await src.finished();
    await new Promise((r) => setTimeout(r, 100)); // the host polls what is still in the receive ring
    runner.stop();
    expect(src.generated).toBe(4000);
    // When frame 0 was due, on the epoch clock both threads share.
    expect(src.startMs).toBeGreaterThanOrEqual(before);
    expect(src.startMs).toBeLessThan(performance.timeOrigin + performance.now());
    expect(src.delivered + src.refused + src.ringDropped).toBe(4000);
    expect(src.refused).toBe(0);
    // The device saw every delivered frame: written into its ring or missed (no free descriptor, if the
    // CPU thread fell behind). Ethertype 0x88B5 has no protocol: each frame the host took is a noproto drop.
    expect(dev.stats.rxFrames).toBe(src.delivered);
    expect(dev.stats.rxDelivered + dev.stats.rxMissed).toBe(src.delivered);
    const c = ifp.counters;
    expect(c.ipackets).toBe(dev.stats.rxDelivered);
    expect(c.noproto).toBe(c.ipackets);
    expect(src.maxWaitMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps generating while the CPU thread is blocked: the ring fills and the worker counts the overflow', async () => {
    const runner = new RealTimeRunner();
    const sink = new FrameSink({ capture: false });
    const src = new WorkerTrafficSource(runner.clock, { rate: 50_000, ringSlots: 64 });
    src.attach(sink);
    src.start();
    while (src.generated === 0) await new Promise((r) => setTimeout(r, 5)); // the worker is up and running
    const before = src.generated;
    const t0 = performance.now();
    while (performance.now() - t0 < 100) {} // the CPU thread does nothing else for 100 ms
    const during = src.generated - before;
    await src.stop();
    runner.stop();
    // About 5000 frames while we were blocked (fewer when the machine is busy: the worker needs a core),
    // far more than the 64-slot ring holds.
    expect(during).toBeGreaterThan(200);
    expect(src.ringDropped).toBeGreaterThan(0);
    expect(src.maxWaitMs).toBeGreaterThan(20);
    expect(src.delivered + src.refused + src.ringDropped).toBe(src.generated);
    expect(sink.received).toBe(src.delivered);
  });

  it('lays the ring out in power-of-two slots', () => {
    expect(() => new FrameRing({ slots: 100, maxFrame: 60 })).toThrow(/power of two/);
    const r = new FrameRing({ slots: 4, maxFrame: 60 });
    expect(r.slotOffset(5)).toBe(r.slotOffset(1));
    expect(r.fill).toBe(0);
  });
});
