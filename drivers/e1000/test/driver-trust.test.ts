/**
 * Regression tests for issue 8 (reliability): the driver does not trust what the device writes back,
 * init brings the chip to a known state from any state, the device's error counters reach the interface
 * within a second, and foreign mbufs are refused at output.
 */
import { type Mbuf, MbufError, Simulation } from '@ifnet/core';
import { FrameSink, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import type { E1000Options } from '../src/index.js';
import {
  CTRL_RST,
  E1000_CTRL,
  E1000_RCTL,
  E1000_RDBAH,
  E1000_RDBAL,
  E1000_RDH,
  E1000_RDLEN,
  RCTL_BSIZE_16384,
  RCTL_LPE,
  RXD_ERR_CE,
  RXD_ERRORS,
  RXD_LENGTH,
  RXD_STAT_VP,
  RXD_STATUS,
} from '../src/regs.js';
import { ETHERTYPE_EXP, type Nic, addNic, mac, makePlatform, packet, totalDrops } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const PEER = Uint8Array.of(2, 0, 0, 0, 0, 2);

function single(options?: E1000Options) {
  const sim = new Simulation({ seed: 3 });
  const setup = makePlatform(options);
  const nic = addNic(sim, setup, 'h', MAC);
  const sink = new FrameSink({ clock: sim.clock });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  return { sim, nic, sink, log: setup.proto.log(nic.host) };
}

function frame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(mac(MAC), 0);
  f.set(PEER, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  return f;
}

/** Bus address of the receive descriptor the device completed last. */
function lastCompleted(nic: Nic): number {
  const ring = nic.dev.peek(E1000_RDBAH) * 2 ** 32 + nic.dev.peek(E1000_RDBAL);
  const n = nic.dev.peek(E1000_RDLEN) >>> 4;
  const rdh = nic.dev.peek(E1000_RDH);
  return ring + ((rdh + n - 1) % n) * 16;
}

describe('wm: what the device writes back is validated', () => {
  it('with the buffer size misprogrammed, a 9,000-byte length in a 2,048-byte cluster never reaches if_input', async () => {
    const { sim, nic, sink, log } = single();
    // Fault: the receive buffer size is changed to 16 KiB (and long packets on) behind the driver's back.
    const rctl = nic.dev.peek(E1000_RCTL);
    nic.dev.write32(E1000_RCTL, (rctl & ~(3 << 16)) | RCTL_BSIZE_16384 | RCTL_LPE);
    sink.send(frame(9000));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(0);
    expect(nic.ifp.counters.drops).toEqual({ 'wm.rx.bad-length': 1 });
    expect(nic.ifp.counters.ierrors).toBe(1);
    expect(nic.ifp.counters.ipackets).toBe(0);
    // The ring was refilled and a normal frame still goes up.
    sink.send(frame(60));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(1);
    await nic.ifp.down();
    nic.host.pool.assertQuiescent();
  });

  it('zero lengths, frame errors and status bits the driver never enabled are dropped with their reasons', async () => {
    // RDTR holds the interrupt back 102 µs: time to make the device "lie" in the completed descriptor.
    const { sim, nic, sink, log } = single({ rdtr: 100 });
    const dma = nic.host.dma;
    const lie = (what: (d: number) => void) => {
      sink.send(frame(60));
      sim.runFor(10_000);
      what(lastCompleted(nic));
      sim.runFor(1_000_000);
    };
    lie((d) => dma.write16(d + RXD_LENGTH, 0));
    lie((d) => dma.write8(d + RXD_ERRORS, RXD_ERR_CE));
    lie((d) => dma.write8(d + RXD_STATUS, dma.read8(d + RXD_STATUS) | RXD_STAT_VP));
    lie((d) => dma.write16(d + RXD_LENGTH, 10)); // shorter than an Ethernet header
    lie((d) => dma.write16(d + RXD_LENGTH, 4000)); // more than the 2 KiB buffer
    lie(() => {}); // and an honest one
    expect(log.packets).toBe(1);
    expect(nic.ifp.counters.drops).toEqual({
      'wm.rx.bad-length': 3,
      'wm.rx.desc-error': 1,
      'wm.rx.bad-status': 1,
    });
    expect(nic.ifp.counters.ierrors).toBe(5);
    await nic.ifp.down();
    nic.host.pool.assertQuiescent();
  });

  it('a ring index beyond the ring (reported by the device) makes the statistics tick reset the chip', () => {
    const { sim, nic, sink, log } = single();
    // Fault: the ring is made longer and its head moved past the driver's ring, behind its back.
    nic.dev.write32(E1000_RDLEN, 4096 * 16);
    nic.dev.write32(E1000_RDH, 1000);
    sim.runFor(1_100_000_000);
    expect(nic.sc.events['wm.hw.bad-index']).toBe(1);
    sink.send(frame(60));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(1);
  });
});

describe('wm: init brings the chip to a known state from any state', () => {
  it('after a chip reset behind the driver, down + up brings the link and traffic back', async () => {
    const { sim, nic, sink, log } = single();
    nic.dev.write32(E1000_CTRL, CTRL_RST);
    sim.runFor(1_000_000);
    await nic.ifp.down();
    nic.ifp.upIf();
    sim.runFor(1_000_000);
    expect(nic.ifp.linkState).toBe('up');
    sink.send(frame(60));
    nic.ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    sim.runFor(1_000_000);
    expect(log.packets).toBe(1);
    expect(sink.received).toBe(1);
  });
});

describe('wm: statistics tick (wm_tick)', () => {
  it("the device's runt and giant counters reach the interface within a second, without an overrun or a stop", () => {
    const { sim, nic, sink, log } = single();
    sink.send(frame(40)); // 44 bytes with FCS: a runt
    sink.send(frame(1600)); // too long without LPE
    sink.send(frame(60));
    sim.runFor(1_000_000_000);
    expect(log.packets).toBe(1);
    expect(nic.ifp.counters.drops).toEqual({ 'wm.rx.runt': 1, 'wm.rx.oversize': 1 });
    expect(nic.ifp.counters.ierrors).toBe(2);
    expect(nic.sc.events['wm.tick']).toBeGreaterThanOrEqual(1);
    expect(3).toBe(log.packets + totalDrops(nic.ifp));
  });

  it('ticks while the interface is busy, rests when it is idle (so an idle simulation is idle), stops with it', async () => {
    const { sim, nic, sink } = single();
    for (let s = 0; s < 3; s++) {
      sink.send(frame(60));
      sim.runFor(1_000_000_000);
    }
    const ticks = nic.sc.events['wm.tick'];
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(sim.runUntilIdle()).toBe(true);
    await nic.ifp.down();
    sim.runFor(3_000_000_000);
    expect(nic.sc.events['wm.tick']).toBeLessThanOrEqual(ticks + 2);
    const after = nic.sc.events['wm.tick'];
    sim.runFor(3_000_000_000);
    expect(nic.sc.events['wm.tick']).toBe(after);
  });
});

describe('wm: foreign mbufs are refused at output', () => {
  function twoHosts() {
    const sim = new Simulation({ seed: 5 });
    const setup = makePlatform();
    const a = addNic(sim, setup, 'a', '02:00:00:00:00:0a');
    const b = addNic(sim, setup, 'b', '02:00:00:00:00:0b');
    new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(a.dev, b.dev);
    a.ifp.upIf();
    b.ifp.upIf();
    return { sim, setup, a, b };
  }

  it("if_transmit refuses a packet from another host's pool with a clear error; the caller keeps it", async () => {
    const { sim, a, b } = twoHosts();
    const foreign: Mbuf = packet(b.host, new Uint8Array(100));
    expect(() => a.ifp.transmit(foreign)).toThrow(MbufError);
    b.host.pool.freem(foreign);
    sim.runFor(1_000_000);
    expect(a.ifp.counters.opackets).toBe(0);
    await a.ifp.down();
    await b.ifp.down();
    a.host.pool.assertQuiescent();
    b.host.pool.assertQuiescent();
  });

  it('one that reaches the send queue another way is dropped by the transmit DMA map as wm.tx.foreign', async () => {
    const { sim, a, b } = twoHosts();
    const foreign: Mbuf = packet(b.host, new Uint8Array(100));
    a.ifp.sendQueue.enqueue(a.ifp, foreign);
    a.sc.start();
    sim.runFor(1_000_000);
    expect(a.ifp.counters.drops).toEqual({ 'wm.tx.foreign': 1 });
    expect(a.ifp.counters.opackets).toBe(0);
    await a.ifp.down();
    await b.ifp.down();
    a.host.pool.assertQuiescent();
    b.host.pool.assertQuiescent();
  });
});
