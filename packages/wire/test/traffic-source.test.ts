import { Simulation, type Wire, type WireEndpoint, type WiredDevice } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { FrameSink, TRAFFIC_PAYLOAD_OFFSET, TrafficSource, VirtualCable, trafficSeq } from '../src/index.js';

/** A device port that records arrival times, sequence numbers and sizes, and can transmit back. */
class Nic implements WiredDevice, WireEndpoint {
  wire: Wire | null = null;
  readonly got: { at: number; seq: number; len: number }[] = [];
  readonly frames: Uint8Array[] = [];
  carrier: boolean[] = [];
  constructor(private readonly sim: Simulation) {}
  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    return this;
  }
  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.got.push({ at: this.sim.now(), seq: trafficSeq(frame, off), len });
    if (this.frames.length < 16) this.frames.push(frame.slice(off, off + len));
  }
  wireCarrier(up: boolean): void {
    this.carrier.push(up);
  }
  send(bytes: Uint8Array): boolean {
    return this.wire!.transmit(this, bytes, 0, bytes.length);
  }
}

const DST = new Uint8Array([0x02, 0, 0, 0, 0, 0x01]);

describe('TrafficSource', () => {
  it('generates constant-rate frames from the template with a sequence number, up to its count', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const gen = new TrafficSource(sim.clock, { rate: 1e6, size: 64, dst: DST, count: 5, firstSeq: 7 });
    gen.attach(nic);
    expect(nic.carrier).toEqual([true]);
    gen.start(1000);
    sim.runUntilIdle();
    expect(nic.got).toEqual([
      { at: 1000, seq: 7, len: 64 },
      { at: 2000, seq: 8, len: 64 },
      { at: 3000, seq: 9, len: 64 },
      { at: 4000, seq: 10, len: 64 },
      { at: 5000, seq: 11, len: 64 },
    ]);
    const f = nic.frames[0];
    expect(Array.from(f.subarray(0, 14))).toEqual([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xfe, 0x88, 0xb5]);
    expect(Array.from(f.subarray(TRAFFIC_PAYLOAD_OFFSET, TRAFFIC_PAYLOAD_OFFSET + 4))).toEqual([0, 1, 2, 3]);
    expect(gen.offered).toBe(5);
    expect(gen.bytesOffered).toBe(320);
    expect(gen.active).toBe(false);
    gen.start(); // done: no-op
    sim.runUntilIdle();
    expect(nic.got.length).toBe(5);
  });

  it('sends a caller-supplied template with the sequence number where it is told', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const template = new Uint8Array(60).map((_, i) => i);
    const gen = new TrafficSource(sim.clock, { rate: 1e6, template, seqOffset: 42, count: 2, firstSeq: 0x01020304 });
    template.fill(0xee); // the source copied it
    gen.attach(nic);
    gen.start(0);
    sim.runUntilIdle();
    expect(nic.frames.map((f) => f.length)).toEqual([60, 60]);
    const f = nic.frames[1];
    expect(Array.from(f.subarray(38, 48))).toEqual([38, 39, 40, 41, 1, 2, 3, 5, 46, 47]);
    expect(() => new TrafficSource(sim.clock, { rate: 1, template, seqOffset: 57 })).toThrow(RangeError);
    expect(() => new TrafficSource(sim.clock, { rate: 1, template, size: 61 })).toThrow(RangeError);
  });

  it('keeps a fractional period exact over time (rounded per frame, no drift)', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const gen = new TrafficSource(sim.clock, { rate: 3e6, count: 7 });
    gen.attach(nic);
    gen.start(0);
    sim.runUntilIdle();
    expect(nic.got.map((g) => g.at)).toEqual([0, 333, 667, 1000, 1333, 1667, 2000]);
  });

  it('cycles or draws frame sizes from a list and fills a custom pattern', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const gen = new TrafficSource(sim.clock, { rate: 1e6, size: [60, 100, 1514], count: 6, pattern: () => 0xaa });
    gen.attach(nic);
    gen.start();
    sim.runUntilIdle();
    expect(nic.got.map((g) => g.len)).toEqual([60, 100, 1514, 60, 100, 1514]);
    expect(nic.frames[2][1513]).toBe(0xaa);

    const sim2 = new Simulation();
    const nic2 = new Nic(sim2);
    const rnd = new TrafficSource(sim2.clock, {
      rate: 1e6,
      size: [60, 1514],
      sizeOrder: 'random',
      count: 200,
      seed: 3,
    });
    rnd.attach(nic2);
    rnd.start();
    sim2.runUntilIdle();
    const big = nic2.got.filter((g) => g.len === 1514).length;
    expect(big).toBeGreaterThan(70);
    expect(big).toBeLessThan(130);
  });

  it('Poisson arrivals are reproducible for a seed and differ between seeds', () => {
    const run = (seed: number) => {
      const sim = new Simulation();
      const nic = new Nic(sim);
      const gen = new TrafficSource(sim.clock, { rate: 1e5, arrivals: 'poisson', seed, count: 2000 });
      gen.attach(nic);
      gen.start(0);
      sim.runUntilIdle();
      return nic.got.map((g) => g.at);
    };
    const a = run(42);
    const b = run(42);
    const c = run(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(2000);
    // Mean gap 10 µs: 2000 frames take about 20 ms (within 10 %).
    expect(a[a.length - 1]).toBeGreaterThan(18e6);
    expect(a[a.length - 1]).toBeLessThan(22e6);
    // Exponential gaps: the coefficient of variation is about 1 (constant arrivals would give 0).
    const gaps = a.slice(1).map((t, i) => t - a[i]);
    const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((x, y) => x + (y - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });

  it('changes its rate from the next frame on', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const gen = new TrafficSource(sim.clock, { rate: 1e6, count: 6 });
    gen.attach(nic);
    gen.start(0);
    sim.runUntil(1500); // frames at 0 and 1000; the next is armed for 2000
    gen.setRate(1e5);
    sim.runUntilIdle();
    expect(nic.got.map((g) => g.at)).toEqual([0, 1000, 2000, 12_000, 22_000, 32_000]);
    expect(gen.rate).toBe(1e5);
    expect(() => gen.setRate(0)).toThrow(RangeError);
  });

  it('stops and resumes; a stopped source generates nothing', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const gen = new TrafficSource(sim.clock, { rate: 1e6 });
    gen.attach(nic);
    gen.start(0);
    sim.runUntil(2500);
    gen.stop();
    sim.runUntil(10_000);
    expect(nic.got.map((g) => g.seq)).toEqual([0, 1, 2]);
    gen.start(20_000);
    sim.runUntil(21_000);
    gen.stop();
    expect(nic.got.map((g) => [g.at, g.seq])).toEqual([
      [0, 0],
      [1000, 1],
      [2000, 2],
      [20_000, 3],
      [21_000, 4],
    ]);
    expect(sim.runUntilIdle()).toBe(true);
  });

  it('counts refusals when its carrier is down, and what the device sends back', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const back: number[] = [];
    const gen = new TrafficSource(sim.clock, { rate: 1e6, count: 4, onReceive: (_f, _o, len) => back.push(len) });
    gen.attach(nic);
    gen.start(0);
    sim.runUntil(1500);
    gen.setCarrier(false);
    expect(nic.send(new Uint8Array(60))).toBe(false);
    sim.runUntilIdle();
    gen.setCarrier(true);
    expect(nic.send(new Uint8Array(70))).toBe(true);
    expect(nic.carrier).toEqual([true, false, true]);
    expect(gen.offered).toBe(4);
    expect(gen.refused).toBe(2);
    expect(nic.got.length).toBe(2);
    expect(gen.received).toBe(1);
    expect(gen.refusedFromPeer).toBe(1);
    expect(back).toEqual([70]);
  });

  it('through a cable faster than line rate: the cable paces and refuses, and every frame is accounted for', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    // 2 Mpps of 60-byte frames into 1 Gb/s (1.488 Mpps): the lane's FIFO fills and overflows.
    const gen = new TrafficSource(sim.clock, { rate: 2e6, count: 2000, dst: DST });
    const cable = new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500, maxInFlight: 32 }).connect(gen, nic);
    gen.start(0);
    sim.runUntilIdle();
    const lane = cable.laneFrom(gen)!;
    expect(lane.stats.offered).toBe(2000);
    expect(lane.stats.delivered + lane.stats.dropped.busy).toBe(2000);
    expect(gen.refused).toBe(lane.stats.dropped.busy);
    expect(nic.got.length).toBe(lane.stats.delivered);
    // Back-to-back at line rate once the FIFO is full: 672 ns apart.
    const last = nic.got.slice(-10).map((g) => g.at);
    expect(last.slice(1).map((t, i) => t - last[i])).toEqual(new Array(9).fill(672));
    // Sequence numbers arrive in order, with gaps where frames were refused.
    const seqs = nic.got.map((g) => g.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('validates its options', () => {
    const sim = new Simulation();
    expect(() => new TrafficSource(sim.clock, { rate: 0 })).toThrow(RangeError);
    expect(() => new TrafficSource(sim.clock, { rate: 1, size: 17 })).toThrow(RangeError);
    expect(() => new TrafficSource(sim.clock, { rate: 1, size: [] })).toThrow(RangeError);
    expect(() => new TrafficSource(sim.clock, { rate: 1, dst: new Uint8Array(5) })).toThrow(RangeError);
  });
});

describe('FrameSink', () => {
  it('captures what a directly attached device sends, with timestamps, and injects frames', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    const sink = new FrameSink({ clock: sim.clock, maxCaptured: 2 });
    const port = sink.attach(nic);
    expect(port).toBe(nic);
    sim.runUntil(100);
    nic.send(Uint8Array.from([1, 2, 3]));
    nic.send(Uint8Array.from([4]));
    nic.send(Uint8Array.from([5]));
    expect(sink.frames).toEqual([
      { at: 100, bytes: Uint8Array.from([1, 2, 3]) },
      { at: 100, bytes: Uint8Array.from([4]) },
    ]);
    expect(sink.received).toBe(3);
    expect(sink.bytes).toBe(5);
    expect(sink.notCaptured).toBe(1);
    const frame = new Uint8Array(64);
    frame[14] = 0;
    frame[17] = 9;
    expect(sink.send(frame)).toBe(true);
    expect(nic.got).toEqual([{ at: 100, seq: 9, len: 64 }]);
    sink.clear();
    expect(sink.frames).toEqual([]);
  });

  it('works at the end of a cable, counting without capturing', () => {
    const sim = new Simulation();
    const nic = new Nic(sim);
    let seen = 0;
    const sink = new FrameSink({ capture: false, onFrame: (_f, _o, len) => (seen += len) });
    const cable = new VirtualCable(sim.clock).connect(nic, sink);
    expect(sink.linkUp).toBe(true);
    nic.send(new Uint8Array(60));
    sim.runUntilIdle();
    expect(sink.received).toBe(1);
    expect(seen).toBe(60);
    expect(sink.frames).toEqual([]);
    cable.unplug();
    expect(sink.linkUp).toBe(false);
    expect(sink.send(new Uint8Array(60))).toBe(false);
    expect(sink.sendFailures).toBe(1);
  });

  it('a station attached to nothing cannot send', () => {
    const sink = new FrameSink();
    expect(sink.send(new Uint8Array(60))).toBe(false);
  });
});
