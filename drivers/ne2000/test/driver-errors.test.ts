import { Simulation } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import {
  CR_PAGE1,
  CR_RD_ABORT,
  CR_RD_WRITE,
  CR_STA,
  DP_CR,
  DP_CURR,
  DP_ISR,
  DP_RBCR0,
  DP_RBCR1,
  DP_RSAR0,
  DP_RSAR1,
  ISR_RDC,
  NE_DATA,
} from '../src/index.js';
import { ETHERTYPE_EXP, addNe, drops, mac, makePlatform, packet } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const PEER = mac('02:00:00:00:00:02');

function rig() {
  const sim = new Simulation({ seed: 9 });
  const setup = makePlatform();
  const nic = addNe(sim, setup, 'h', MAC);
  const sink = new FrameSink({ clock: sim.clock });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  const frame = (len: number) => {
    const f = new Uint8Array(len);
    f.set(mac(MAC));
    f.set(PEER, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    return f;
  };
  return { sim, setup, nic, sink, frame };
}

describe('ne: every error has a name', () => {
  it('a ring header it cannot follow: counted, the ring given back, reception goes on', () => {
    const { sim, nic, sink, frame } = rig();
    // Hardware fault: garbage where the next frame's header will be, and CURR moved past it — written
    // through the card's own ports, as a misbehaving card (or a DMA glitch) would leave it.
    const regs = nic.host.devices[0].attachArgs.bars[0];
    const page = nic.sc.rxStart;
    regs.write8(DP_CR, CR_STA | CR_RD_ABORT);
    regs.write8(DP_RBCR0, 4);
    regs.write8(DP_RBCR1, 0);
    regs.write8(DP_RSAR0, 0);
    regs.write8(DP_RSAR1, page);
    regs.write8(DP_CR, CR_STA | CR_RD_WRITE);
    regs.writeMulti16(NE_DATA, Uint8Array.of(0x01, 0xee, 0x40, 0x00), 0, 2); // next page 0xEE: outside the ring
    regs.write8(DP_ISR, ISR_RDC);
    regs.write8(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    regs.write8(DP_CURR, page + 1);
    regs.write8(DP_CR, CR_STA | CR_RD_ABORT);
    sink.send(frame(60)); // lands behind the garbage and interrupts
    sim.runUntilIdle();
    expect(nic.ifp.counters.drops['ne.rx.bad-header']).toBe(1);
    expect(nic.ifp.counters.ierrors).toBe(1);
    sink.send(frame(60));
    sim.runUntilIdle();
    expect(nic.ifp.counters.ipackets).toBe(1);
  });

  it('a CURR outside the ring is counted, never followed, and the card is reset', () => {
    const { sim, nic, sink, frame } = rig();
    const regs = nic.host.devices[0].attachArgs.bars[0];
    regs.write8(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    regs.write8(DP_CURR, 0x20); // not a page of the ring
    regs.write8(DP_CR, CR_STA | CR_RD_ABORT);
    sink.send(frame(60)); // the card cannot store it: overflow, and the driver's recovery finds CURR bad
    sim.runUntilIdle();
    expect(nic.ifp.counters.drops['ne.rx.bad-header']).toBeGreaterThanOrEqual(1);
    expect(nic.sc.events['ne.restart']).toBe(1);
    sink.send(frame(60)); // works again
    sim.runUntilIdle();
    expect(nic.ifp.counters.ipackets).toBe(1);
    expect(nic.host.pool.checkAccounting().ok).toBe(true);
  });

  it('transmit errors: collisions counted, 16 collisions abort, no carrier, too big, empty', () => {
    const { sim, nic, sink } = rig();
    const ifp = nic.ifp;
    nic.dev.injectCollisions(3, 16);
    ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    sim.runUntilIdle();
    ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    sim.runUntilIdle();
    expect(sink.frames).toHaveLength(1);
    expect(ifp.counters.collisions).toBe(3 + 16);
    expect(ifp.counters.drops['ne.tx.aborted']).toBe(1);
    sink.setCarrier(false);
    ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    sim.runUntilIdle();
    expect(ifp.counters.drops['ne.tx.no-carrier']).toBe(1);
    sink.setCarrier(true);
    const big = packet(nic.host, new Uint8Array(1515));
    ifp.transmit(big); // past if_output's MTU check: the driver must refuse it
    const empty = nic.host.pool.gethdr()!;
    ifp.transmit(empty);
    sim.runUntilIdle();
    expect(ifp.counters.drops['ne.tx.too-big']).toBe(1);
    expect(ifp.counters.drops['ne.tx.empty']).toBe(1);
    expect(ifp.counters.oerrors).toBe(2);
    expect(drops(ifp, 'ne.tx.')).toBe(4);
    expect(nic.host.pool.checkAccounting().ok).toBe(true);
  });

  it('frames received but not handed up when the interface goes down are counted as flushed', async () => {
    const { sim, nic, sink, frame } = rig();
    // Frames in the card's ring, then down before the CPU ran.
    for (let i = 0; i < 5; i++) sink.send(frame(60));
    await nic.ifp.down();
    sim.runUntilIdle();
    expect(nic.ifp.counters.drops['ne.rx.flushed']).toBe(5);
    nic.host.pool.assertQuiescent();
  });

  it('a multicast group joined is received through the MAR hash; others are filtered by the card', () => {
    const { sim, setup, nic, sink, frame } = rig();
    const group = Uint8Array.of(0x01, 0x00, 0x5e, 0x01, 0x02, 0x03);
    const other = Uint8Array.of(0x01, 0x00, 0x5e, 0x7f, 0x7f, 0x7f);
    const f = frame(60);
    f.set(group);
    sink.send(f);
    nic.ifp.joinMulticast(group);
    sink.send(f);
    f.set(other);
    sink.send(f);
    sim.runUntilIdle();
    expect(setup.log(nic.host).packets).toBe(1);
    expect(nic.ifp.counters.imcasts).toBe(1);
    expect(nic.dev.stats.rxFiltered).toBeGreaterThanOrEqual(1);
    nic.ifp.setPromiscuous(true);
    f.set(mac('02:00:00:00:00:77'));
    sink.send(f);
    sim.runUntilIdle();
    expect(nic.ifp.counters.ipackets).toBe(2);
  });
});
