import { Simulation } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { E1000_RDBAH, E1000_RDBAL, E1000_RDH, E1000_TCTL } from '../src/regs.js';
import { ETHERTYPE_EXP, addNic, mac, makePlatform, packet, totalDrops } from './driver-helpers.js';

const MAC = '02:00:00:00:00:01';
const PEER = Uint8Array.of(2, 0, 0, 0, 0, 2);

/** One host with an e1000 whose port is a frame sink (inject frames, capture what it sends). */
function single() {
  const sim = new Simulation({ seed: 9 });
  const setup = makePlatform();
  const nic = addNic(sim, setup, 'h', MAC);
  const sink = new FrameSink({ clock: sim.clock });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  return { sim, setup, nic, sink, log: setup.proto.log(nic.host) };
}

function frame(len: number, dst = mac(MAC)): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(PEER, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  return f;
}

describe('wm: error paths, each counted with a name', () => {
  it('oversize and undersize frames are dropped by the device and harvested as wm.rx.oversize / wm.rx.runt', async () => {
    const { sim, nic, sink, log } = single();
    sink.send(frame(60));
    sink.send(frame(1515)); // 1519 bytes with FCS: too long without LPE
    sink.send(frame(40)); // 44 with FCS: a runt
    sink.send(frame(1514));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(2);
    await nic.ifp.down(); // stop harvests the statistics registers
    expect(nic.ifp.counters.drops).toEqual({ 'wm.rx.oversize': 1, 'wm.rx.runt': 1 });
    expect(nic.ifp.counters.ierrors).toBe(2);
    expect(sink.received).toBe(0);
    expect(4).toBe(log.packets + totalDrops(nic.ifp));
    nic.host.pool.assertQuiescent();
  });

  it('a descriptor error (RXE) drops the packet as wm.rx.desc-error and the slot is refilled', async () => {
    const { sim, nic, sink, log } = single();
    // Fault injection: clobber the buffer address of the descriptor the device will use next.
    const ring = nic.dev.peek(E1000_RDBAH) * 2 ** 32 + nic.dev.peek(E1000_RDBAL);
    const rdh = nic.dev.peek(E1000_RDH);
    nic.host.dma.write64(ring + rdh * 16, 0);
    sink.send(frame(60));
    sink.send(frame(60));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(1);
    expect(nic.ifp.counters.drops).toEqual({ 'wm.rx.desc-error': 1 });
    expect(nic.ifp.counters.ierrors).toBe(1);
    expect(nic.sc.rxBuffers).toBe(255);
    await nic.ifp.down();
    nic.host.pool.assertQuiescent();
  });

  it('frames completed but not yet reaped when the interface goes down are counted as wm.rx.flushed', async () => {
    const { sim, nic, sink, log } = single();
    sim.runFor(1000);
    sink.send(frame(60));
    sink.send(frame(60));
    // Down before the CPU took the interrupt.
    await nic.ifp.down();
    sim.runFor(1_000_000);
    expect(log.packets).toBe(0);
    expect(nic.ifp.counters.drops).toEqual({ 'wm.rx.flushed': 2 });
    nic.host.pool.assertQuiescent();
  });

  it('a spurious interrupt (ICR reads 0) is not claimed and is counted', () => {
    const { sim, nic } = single();
    const line = nic.host.devices[0].attachArgs.irqs[0];
    sim.runFor(1000);
    line.assert(); // something else on the line
    sim.step();
    line.deassert();
    expect(nic.sc.spurious).toBe(1);
    expect(nic.host.cpu.stats.spurious).toBe(1);
    expect(nic.ifp.counters.interrupts).toBe(0);
  });

  it('refuses empty and oversized packets at start, and MTUs above 9000', () => {
    const { nic } = single();
    const empty = nic.host.pool.gethdr()!;
    expect(nic.ifp.transmit(empty)).toBe(true);
    const big = packet(nic.host, new Uint8Array(1000));
    big.pkthdr.len = 20_000; // more than the transmit engine gathers (16 KB)
    expect(nic.ifp.transmit(big)).toBe(true);
    expect(nic.ifp.counters.drops).toEqual({ 'wm.tx.empty': 1, 'wm.tx.too-big': 1 });
    expect(nic.ifp.counters.oqdrops).toBe(2);
    expect(() => nic.ifp.setMtu(9001)).toThrow(RangeError);
    nic.ifp.setMtu(9000);
    expect(nic.ifp.mtu).toBe(9000);
  });

  it('the watchdog resets a stuck transmitter: timeout counted, packets flushed, transmission resumes', () => {
    const { sim, nic, sink } = single();
    // Fault injection: the transmit engine stops behind the driver's back.
    nic.dev.write32(E1000_TCTL, 0);
    nic.ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    nic.ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    expect(nic.sc.txInFlight).toBe(2);
    expect(nic.ifp.watchdogTimer).toBe(5);
    sim.runFor(4_500_000_000);
    expect(nic.sc.events['wm.watchdog.reset']).toBe(0);
    sim.runFor(1_000_000_000);
    expect(nic.sc.events['wm.watchdog.reset']).toBe(1);
    expect(nic.ifp.counters.drops).toEqual({ 'watchdog.timeout': 1, 'wm.tx.flushed': 2 });
    expect(nic.ifp.counters.oerrors).toBe(1);
    expect(sink.received).toBe(0);
    // The reset chip transmits again.
    nic.ifp.output(packet(nic.host, new Uint8Array(100)), ETHERTYPE_EXP, PEER);
    sim.runFor(1_000_000);
    expect(sink.received).toBe(1);
    expect(nic.sc.txInFlight).toBe(0);
    expect(nic.ifp.watchdogTimer).toBe(0);
  });

  it('detach brings the interface down, masks and resets the chip and releases the interrupt', async () => {
    const { sim, nic, sink, log } = single();
    sink.send(frame(60));
    sim.runFor(1_000_000);
    await nic.sc.detach();
    expect(nic.ifp.up).toBe(false);
    expect(nic.host.ifunit('wm0')).toBeUndefined();
    const line = nic.host.devices[0].attachArgs.irqs[0];
    expect(line.handler).toBeUndefined();
    sink.send(frame(60));
    sim.runFor(1_000_000);
    expect(log.packets).toBe(1);
    nic.host.pool.assertQuiescent();
  });
});
