import { Simulation, type Wire, type WireEndpoint, type WiredDevice } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { VirtualCable, lineRate } from '../src/index.js';

/** A test port: records what it receives (time + bytes) and carrier changes, and can transmit. */
class Port implements WiredDevice, WireEndpoint {
  wire: Wire | null = null;
  readonly got: { at: number; bytes: number[] }[] = [];
  readonly carrierLog: { at: number; up: boolean }[] = [];
  constructor(private readonly sim: Simulation) {}
  attachWire(wire: Wire): WireEndpoint {
    this.wire = wire;
    return this;
  }
  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.got.push({ at: this.sim.now(), bytes: Array.from(frame.subarray(off, off + len)) });
  }
  wireCarrier(up: boolean): void {
    this.carrierLog.push({ at: this.sim.now(), up });
  }
  send(bytes: number[] | Uint8Array, off = 0, len = bytes.length - off): boolean {
    const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    return this.wire!.transmit(this, b, off, len);
  }
}

function frame(len: number, tag: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (tag + i) & 0xff;
  return b;
}

function setup(options: ConstructorParameters<typeof VirtualCable>[1] = {}) {
  const sim = new Simulation({ seed: 1 });
  const a = new Port(sim);
  const b = new Port(sim);
  const cable = new VirtualCable(sim.clock, options).connect(a, b);
  return { sim, a, b, cable };
}

describe('VirtualCable timing', () => {
  it('delivers a minimum frame after preamble + frame + FCS at the bit rate, plus the propagation delay', () => {
    const { sim, a, b } = setup({ bitRate: 1e9, delay: 500 });
    expect(a.send(frame(60, 1))).toBe(true);
    sim.runUntil(1075);
    expect(b.got).toEqual([]);
    sim.runUntil(10_000);
    // (8 + 60 + 4) bytes × 8 ns + 500 ns
    expect(b.got.map((g) => g.at)).toEqual([1076]);
    expect(b.got[0].bytes).toEqual(Array.from(frame(60, 1)));
  });

  it('pads short frames to 60 bytes on the medium and counts a full-size frame exactly', () => {
    const { sim, a, b } = setup({ bitRate: 1e9, delay: 0 });
    a.send(frame(42, 0)); // occupies like 60: 576 ns, gap until 672
    a.send(frame(1514, 0)); // starts at 672: (8 + 1514 + 4) × 8 = 12208
    sim.runUntilIdle();
    expect(b.got.map((g) => [g.at, g.bytes.length])).toEqual([
      [576, 42],
      [672 + 12208, 1514],
    ]);
  });

  it('queues back-to-back frames behind the transmitter with the inter-frame gap', () => {
    const { sim, a, b } = setup({ bitRate: 1e9, delay: 500 });
    for (let i = 0; i < 4; i++) a.send(frame(60, i));
    sim.runUntilIdle();
    expect(b.got.map((g) => g.at)).toEqual([1076, 1748, 2420, 3092]);
    expect(b.got.map((g) => g.bytes[0])).toEqual([0, 1, 2, 3]);
    // 672 ns per minimum frame: 1,488,095 frames/s at 1 Gb/s.
    expect(Math.floor(lineRate(60, 1e9))).toBe(1_488_095);
  });

  it('starts a frame when it is handed over if the transmitter is idle', () => {
    const { sim, a, b } = setup({ bitRate: 1e9, delay: 500 });
    a.send(frame(60, 0));
    sim.runUntil(5000);
    a.send(frame(60, 1));
    sim.runUntilIdle();
    expect(b.got.map((g) => g.at)).toEqual([1076, 6076]);
  });

  it('has independent directions with their own rate and delay', () => {
    const { sim, a, b } = setup({ bitRate: 1e9, delay: 500, bToA: { bitRate: 100e6, delay: 2000 } });
    a.send(frame(60, 0));
    b.send(frame(60, 0));
    sim.runUntilIdle();
    expect(b.got.map((g) => g.at)).toEqual([1076]);
    expect(a.got.map((g) => g.at)).toEqual([72 * 80 + 2000]);
  });

  it('raw framing counts only the frame bytes', () => {
    const { sim, a, b } = setup({ bitRate: 8e9, delay: 0, framing: 'raw' });
    a.send(frame(100, 0));
    a.send(frame(10, 0));
    sim.runUntilIdle();
    expect(b.got.map((g) => g.at)).toEqual([100, 110]);
  });

  it('an infinitely fast, zero-delay cable delivers at the time of transmission', () => {
    const { sim, a, b } = setup({ bitRate: Number.POSITIVE_INFINITY, delay: 0 });
    sim.runUntil(123);
    a.send(frame(60, 0));
    a.send(frame(60, 1));
    sim.runUntilIdle();
    expect(b.got.map((g) => g.at)).toEqual([123, 123]);
  });

  it('delivers sends from one end to the other end only, and refuses unknown senders', () => {
    const { sim, a, b, cable } = setup();
    const stranger = new Port(sim);
    expect(cable.transmit(stranger, frame(60, 0), 0, 60)).toBe(false);
    expect(cable.foreignTransmits).toBe(1);
    b.send(frame(64, 9));
    sim.runUntilIdle();
    expect(a.got.length).toBe(1);
    expect(b.got.length).toBe(0);
    expect(cable.laneFrom(b)).toBe(cable.bToA);
  });
});

describe('VirtualCable carrier', () => {
  it('reports carrier up to both ends on connect, down and up again on unplug/plug', () => {
    const { sim, a, b, cable } = setup();
    expect(a.carrierLog).toEqual([{ at: 0, up: true }]);
    expect(b.carrierLog).toEqual([{ at: 0, up: true }]);
    expect(cable.carrier(a)).toBe(true);
    sim.runUntil(1000);
    cable.unplug();
    cable.unplug(); // idempotent
    expect(cable.carrier(a)).toBe(false);
    sim.runUntil(2000);
    cable.plug();
    expect(a.carrierLog).toEqual([
      { at: 0, up: true },
      { at: 1000, up: false },
      { at: 2000, up: true },
    ]);
    expect(b.carrierLog).toEqual(a.carrierLog);
    expect(cable.carrierChanges).toBe(3);
  });

  it('loses frames in flight on unplug and refuses frames while unplugged, counting both', () => {
    const { sim, a, b, cable } = setup({ bitRate: 1e9, delay: 500 });
    a.send(frame(60, 0));
    a.send(frame(60, 1));
    sim.runUntil(1100); // first delivered at 1076, second due at 1748
    cable.unplug();
    expect(a.send(frame(60, 2))).toBe(false);
    sim.runUntil(5000);
    cable.plug();
    expect(a.send(frame(60, 3))).toBe(true);
    sim.runUntilIdle();
    expect(b.got.map((g) => [g.at, g.bytes[0]])).toEqual([
      [1076, 0],
      [5000 + 1076, 3],
    ]);
    const s = cable.aToB.stats;
    expect(s).toEqual({
      offered: 4,
      bytesOffered: 240,
      sent: 3,
      delivered: 2,
      bytesDelivered: 120,
      dropped: { 'carrier-down': 1, busy: 0, oversize: 0, invalid: 0, 'lost-in-flight': 1 },
    });
    const dropped = Object.values(s.dropped).reduce((x, y) => x + y, 0);
    expect(s.offered).toBe(s.delivered + cable.aToB.inFlight + dropped);
  });

  it('an unconnected cable has no carrier and refuses frames', () => {
    const sim = new Simulation();
    const cable = new VirtualCable(sim.clock);
    const p = new Port(sim);
    expect(cable.carrier(p)).toBe(false);
    expect(cable.transmit(p, frame(60, 0), 0, 60)).toBe(false);
    expect(() => cable.connect(p, new Port(sim)).connect(p, p)).toThrow(/already connected/);
  });
});

describe('VirtualCable limits', () => {
  it('refuses frames beyond maxInFlight as busy', () => {
    const { sim, a, b, cable } = setup({ maxInFlight: 4 });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(a.send(frame(60, i)));
    expect(results).toEqual([true, true, true, true, false, false]);
    expect(cable.aToB.inFlight).toBe(4);
    sim.runUntilIdle();
    expect(b.got.length).toBe(4);
    expect(cable.aToB.stats.dropped.busy).toBe(2);
  });

  it('refuses frames that do not fit the ring as busy, oversize and empty frames by reason', () => {
    const { sim, a, b, cable } = setup({ ringBytes: 256, maxFrame: 200 });
    expect(a.send(frame(100, 0))).toBe(true);
    expect(a.send(frame(100, 1))).toBe(true);
    expect(a.send(frame(100, 2))).toBe(false); // 56 bytes left at the end, none at the start
    expect(a.send(frame(201, 3))).toBe(false);
    expect(a.send(new Uint8Array(0))).toBe(false);
    expect(a.send(frame(10, 0), 5, 10)).toBe(false); // range outside the array
    sim.runUntilIdle();
    expect(b.got.length).toBe(2);
    expect(cable.aToB.stats.dropped).toEqual({
      'carrier-down': 0,
      busy: 1,
      oversize: 1,
      invalid: 2,
      'lost-in-flight': 0,
    });
  });

  it('keeps frame bytes intact across ring wrap-around', () => {
    const { sim, a, b, cable } = setup({ ringBytes: 1000, maxInFlight: 8, bitRate: 1e9, delay: 0 });
    const sent: number[][] = [];
    // One frame every 1.5 µs, 60..400 bytes (2 µs on average on the wire): the lane stays busy, the ring
    // wraps over and over, and now and then it is full.
    for (let i = 0; i < 300; i++) {
      const len = 60 + ((i * 97) % 341);
      const f = frame(len, i);
      if (a.send(f)) sent.push(Array.from(f));
      sim.runUntil((i + 1) * 1500);
    }
    sim.runUntilIdle();
    expect(b.got.map((g) => g.bytes)).toEqual(sent);
    expect(sent.length).toBeGreaterThan(150);
    expect(cable.aToB.stats.dropped.busy).toBe(300 - sent.length);
    expect(cable.aToB.stats.dropped.busy).toBeGreaterThan(0);
  });

  it('copies the frame: the sender may reuse its buffer at once', () => {
    const { sim, a, b } = setup();
    const buf = frame(60, 0);
    a.send(buf);
    buf.fill(0xee);
    a.send(buf, 0, 30);
    sim.runUntilIdle();
    expect(b.got[0].bytes).toEqual(Array.from(frame(60, 0)));
    expect(b.got[1].bytes).toEqual(new Array(30).fill(0xee));
  });

  it('validates its options', () => {
    const sim = new Simulation();
    expect(() => new VirtualCable(sim.clock, { bitRate: 0 })).toThrow(RangeError);
    expect(() => new VirtualCable(sim.clock, { delay: -1 })).toThrow(RangeError);
    expect(() => new VirtualCable(sim.clock, { maxInFlight: 0 })).toThrow(RangeError);
    expect(() => new VirtualCable(sim.clock, { ringBytes: 10 })).toThrow(RangeError);
  });
});
