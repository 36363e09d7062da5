/**
 * The device model alone, through a real host's BusSpace, DmaSpace and interrupt lines — no driver: the
 * test plays the driver's part by hand, register by register.
 */
import { type BusSpace, type DmaRegion, IPL_NET, Simulation, createPlatform } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import {
  CQE_FLAGS,
  CQE_F_TX,
  CQE_HASH,
  CQE_HASH_TYPE,
  CQE_LENGTH,
  CQE_QUEUE,
  CQE_SIZE,
  CQE_STATUS,
  CQE_WQE,
  CTRL_BAM,
  CTRL_LINK,
  CTRL_RXEN,
  CTRL_TXEN,
  EHEA_CTRL,
  EHEA_ID,
  EHEA_ID_VALUE,
  EHEA_MAXQ,
  EHEA_NQUEUES,
  EHEA_Q,
  EHEA_RETA,
  EHEA_RSS_CTRL,
  EHEA_STATUS,
  EQE_SIZE,
  EQE_STATUS,
  EQE_TYPE,
  EQE_T_COMPLETION,
  EQE_T_ERRORS,
  EQE_T_LINK,
  EheaDevice,
  HASH_UDP_IPV4,
  QCTRL_EN,
  Q_CQ_ARM,
  Q_CQ_BASE_HI,
  Q_CQ_BASE_LO,
  Q_CQ_DOORBELL,
  Q_CQ_SIZE,
  Q_CTRL,
  Q_EQ_BASE_HI,
  Q_EQ_BASE_LO,
  Q_EQ_DOORBELL,
  Q_EQ_SIZE,
  Q_MISSED,
  Q_RQ_BASE_HI,
  Q_RQ_BASE_LO,
  Q_RQ_DOORBELL,
  Q_RQ_SIZE,
  Q_SQ_BASE_HI,
  Q_SQ_BASE_LO,
  Q_SQ_DOORBELL,
  Q_SQ_SIZE,
  RSS_ALL,
  RSS_DEFAULT_KEY,
  STATUS_LU,
  ToeplitzHasher,
  WQE_EOP,
  WQE_FLAGS,
  WQE_LENGTH,
  WQE_SIGNAL,
  WQE_SIZE,
  rssInputIpv4,
} from '../src/index.js';
import { ipv4Frame } from './helpers.js';

const MAC = '02:00:00:00:00:01';
const SEG = 0x1_0000_0000;

interface HandQueue {
  rq: DmaRegion;
  sq: DmaRegion;
  cq: DmaRegion;
  eq: DmaRegion;
  bufs: DmaRegion;
}

function rig(queues = 2, entries = 8) {
  const sim = new Simulation({ seed: 1 });
  const host = createPlatform().createHost({ name: 'h', runner: sim, loopback: false });
  const dev = new EheaDevice({ mac: MAC, queues });
  const slot = host.attachDevice(dev);
  const regs: BusSpace = slot.attachArgs.bars[0];
  const dma = host.dma;
  const sink = new FrameSink({ clock: sim.clock });
  sink.attach(dev);
  const taken: number[] = new Array(queues).fill(0);
  slot.attachArgs.irqs.forEach((line, q) => {
    // A handler that claims and masks at the controller, so the test can look at the line afterwards.
    host.cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        taken[q]++;
        line.mask();
        return true;
      },
      q,
      `q${q}`,
    );
  });
  const setRing = (q: number, lo: number, hi: number, size: number, r: DmaRegion, n: number) => {
    regs.write32(EHEA_Q(q, lo), r.busAddr % SEG);
    regs.write32(EHEA_Q(q, hi), Math.floor(r.busAddr / SEG));
    regs.write32(EHEA_Q(q, size), n);
  };
  const hq: HandQueue[] = [];
  for (let q = 0; q < queues; q++) {
    const h: HandQueue = {
      rq: dma.alloc(entries * WQE_SIZE, `rq${q}`),
      sq: dma.alloc(entries * WQE_SIZE, `sq${q}`),
      cq: dma.alloc(entries * CQE_SIZE, `cq${q}`),
      eq: dma.alloc(8 * EQE_SIZE, `eq${q}`),
      bufs: dma.alloc(entries * 2048, `bufs${q}`),
    };
    setRing(q, Q_RQ_BASE_LO, Q_RQ_BASE_HI, Q_RQ_SIZE, h.rq, entries);
    setRing(q, Q_SQ_BASE_LO, Q_SQ_BASE_HI, Q_SQ_SIZE, h.sq, entries);
    setRing(q, Q_CQ_BASE_LO, Q_CQ_BASE_HI, Q_CQ_SIZE, h.cq, entries);
    setRing(q, Q_EQ_BASE_LO, Q_EQ_BASE_HI, Q_EQ_SIZE, h.eq, 8);
    regs.write32(EHEA_Q(q, Q_CTRL), QCTRL_EN);
    hq.push(h);
  }
  regs.write32(EHEA_NQUEUES, queues);
  regs.write32(EHEA_CTRL, CTRL_LINK | CTRL_RXEN | CTRL_TXEN | CTRL_BAM);
  // Link up was latched on resource 0 (not armed yet): arming fires it as event 0. Take it, acknowledge
  // it, start counting from here.
  regs.write32(EHEA_Q(0, Q_CQ_ARM), 1);
  sim.runUntilIdle();
  if (hq[0].eq.u8[EQE_TYPE] !== EQE_T_LINK || taken[0] !== 1) throw new Error('no link event');
  regs.write32(EHEA_Q(0, Q_EQ_DOORBELL), 1);
  slot.attachArgs.irqs[0].unmask();
  taken.fill(0);
  /** Posts receive WQE `i` of queue `q` (buffer i of its buffer region) without ringing the doorbell. */
  const postRx = (q: number, i: number) => {
    const addr = hq[q].bufs.busAddr + i * 2048;
    const v = hq[q].rq.view;
    v.setUint32(i * WQE_SIZE, addr % SEG, true);
    v.setUint32(i * WQE_SIZE + 4, Math.floor(addr / SEG), true);
    v.setUint16(i * WQE_SIZE + WQE_LENGTH, 2048, true);
  };
  const cqe = (q: number, i: number) => {
    const v = hq[q].cq.view;
    const c = i * CQE_SIZE;
    return {
      len: v.getUint16(c + CQE_LENGTH, true),
      wqe: v.getUint16(c + CQE_WQE, true),
      hash: v.getUint32(c + CQE_HASH, true),
      type: v.getUint8(c + CQE_HASH_TYPE),
      queue: v.getUint8(c + CQE_QUEUE),
      flags: v.getUint8(c + CQE_FLAGS),
      valid: v.getUint8(c + CQE_STATUS) & 1,
    };
  };
  const eqe = (q: number, i: number) => ({
    type: hq[q].eq.u8[i * EQE_SIZE + EQE_TYPE],
    valid: hq[q].eq.u8[i * EQE_SIZE + EQE_STATUS] & 1,
  });
  return { sim, host, dev, regs, sink, hq, postRx, cqe, eqe, taken, lines: slot.attachArgs.irqs };
}

const frameTo = (sport: number) => ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', sport, dport: 9 });

describe('EHEA device model', () => {
  it('identifies itself and reports its port resources and link', () => {
    const { regs, dev } = rig(2);
    expect(dev.ident).toMatchObject({ vendor: 0x1014, device: 0x0eea });
    expect(regs.read32(EHEA_ID)).toBe(EHEA_ID_VALUE);
    expect(regs.read32(EHEA_MAXQ)).toBe(2);
    expect(dev.interruptVectors).toBe(2);
    expect(regs.read32(EHEA_STATUS) & STATUS_LU).toBe(STATUS_LU);
  });

  it('receive: credits from the doorbell, completions with the toggle bit flipping on every wrap', () => {
    const { sim, regs, sink, postRx, cqe, dev } = rig(1, 8);
    for (let i = 0; i < 8; i++) postRx(0, i);
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 8);
    expect(regs.read32(EHEA_Q(0, Q_RQ_DOORBELL))).toBe(8); // reads back the credits
    for (let k = 0; k < 8; k++) sink.send(frameTo(1000 + k));
    sim.runUntilIdle();
    // First pass: phase 1.
    for (let i = 0; i < 8; i++) expect(cqe(0, i)).toMatchObject({ len: 60, wqe: i, valid: 1, queue: 0 });
    // No credit left: the next frame is missed, counted per resource and in Q_MISSED.
    sink.send(frameTo(2000));
    expect(dev.queues[0].stats.rxMissed).toBe(1);
    expect(regs.read32(EHEA_Q(0, Q_MISSED))).toBe(1);
    expect(regs.read32(EHEA_Q(0, Q_MISSED))).toBe(0); // clear on read
    // Return the CQ entries and the buffers: the second pass writes phase 0.
    regs.write32(EHEA_Q(0, Q_CQ_DOORBELL), 8);
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 3);
    for (let k = 0; k < 3; k++) sink.send(frameTo(3000 + k));
    expect([0, 1, 2].map((i) => cqe(0, i).valid)).toEqual([0, 0, 0]);
    expect(cqe(0, 3).valid).toBe(1); // still the first pass's entry
    expect(dev.stats.rxFrames).toBe(dev.stats.rxDelivered + dev.stats.rxMissed);
  });

  it('a full completion queue makes the resource miss frames, even with receive credits', () => {
    const { regs, sink, postRx, dev } = rig(1, 8);
    for (let i = 0; i < 8; i++) postRx(0, i);
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 8);
    for (let k = 0; k < 8; k++) sink.send(frameTo(1000 + k));
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 4); // buffers again, but the CQ entries were not returned
    sink.send(frameTo(2000));
    expect(dev.queues[0].stats.rxMissed).toBe(1);
    expect(dev.queues[0].cqFree).toBe(0);
  });

  it('the CQ arm is one-shot and fires only for completions after it; events carry the toggle bit', () => {
    const { sim, regs, sink, postRx, eqe, taken, lines, dev } = rig(1, 8);
    for (let i = 0; i < 8; i++) postRx(0, i);
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 8);
    sink.send(frameTo(1)); // not armed: no event
    sim.runUntilIdle();
    expect(taken[0]).toBe(0);
    regs.write32(EHEA_Q(0, Q_CQ_ARM), 1);
    expect(regs.read32(EHEA_Q(0, Q_CQ_ARM))).toBe(1); // the entry already there does not fire it
    sink.send(frameTo(2));
    sim.runUntilIdle();
    expect(taken[0]).toBe(1);
    expect(regs.read32(EHEA_Q(0, Q_CQ_ARM))).toBe(0); // consumed
    expect(eqe(0, 1)).toEqual({ type: EQE_T_COMPLETION, valid: 1 }); // after the link event
    expect(lines[0].asserted).toBe(true);
    // The line stays up until the event is acknowledged.
    sink.send(frameTo(3));
    expect(dev.queues[0].stats.events).toBe(2);
    regs.write32(EHEA_Q(0, Q_EQ_DOORBELL), 1);
    expect(lines[0].asserted).toBe(false);
    // Acknowledging more than is outstanding is refused (counted).
    regs.write32(EHEA_Q(0, Q_EQ_DOORBELL), 1);
    expect(dev.stats.regBadWrites).toBe(1);
  });

  it('RSS: hash, type and resource in the completion; the indirection table picks the resource', () => {
    const { sim, regs, sink, postRx, cqe } = rig(2, 8);
    for (let q = 0; q < 2; q++) {
      for (let i = 0; i < 8; i++) postRx(q, i);
      regs.write32(EHEA_Q(q, Q_RQ_DOORBELL), 8);
    }
    regs.write32(EHEA_RSS_CTRL, RSS_ALL);
    for (let i = 0; i < 32; i++) regs.write32(EHEA_RETA + 4 * i, 0x01010101); // every entry → resource 1
    sink.send(frameTo(1234));
    sim.runUntilIdle();
    const hash = new ToeplitzHasher(RSS_DEFAULT_KEY).hash(rssInputIpv4('10.0.0.2', '10.0.0.1', 1234, 9), 0, 12);
    expect(cqe(1, 0)).toMatchObject({ hash, type: HASH_UDP_IPV4, queue: 1, valid: 1, len: 60 });
    // An entry naming a resource at or above NQUEUES steers to 0 (counted).
    regs.write32(EHEA_NQUEUES, 1);
    sink.send(frameTo(1234));
    expect(cqe(0, 0)).toMatchObject({ queue: 0, valid: 1 });
  });

  it('overrun and link events go to the event queue when armed, latched until the next arm otherwise; ring registers are locked while enabled', () => {
    const { sink, regs, eqe, dev } = rig(1, 8);
    regs.write32(EHEA_Q(0, Q_CQ_ARM), 1);
    sink.send(frameTo(1)); // no credits: missed → ERRORS event (armed: posted now)
    expect(eqe(0, 1)).toEqual({ type: EQE_T_ERRORS, valid: 1 });
    sink.send(frameTo(2)); // the counter was already non-zero: no second event
    expect(dev.queues[0].stats.events).toBe(2);
    sink.setCarrier(false); // disarmed now: the link event is latched...
    expect(dev.queues[0].stats.events).toBe(2);
    regs.write32(EHEA_Q(0, Q_CQ_ARM), 1); // ...and fires the next arm at once
    expect(eqe(0, 2)).toEqual({ type: EQE_T_LINK, valid: 1 });
    expect(regs.read32(EHEA_Q(0, Q_CQ_ARM))).toBe(0);
    expect(regs.read32(EHEA_STATUS) & STATUS_LU).toBe(0);
    regs.write32(EHEA_Q(0, Q_RQ_SIZE), 16);
    regs.write32(EHEA_Q(0, Q_RQ_DOORBELL), 9); // more credits than entries
    regs.write32(EHEA_NQUEUES, 5);
    expect(dev.stats.regBadWrites).toBe(3);
    expect(regs.read32(EHEA_Q(0, Q_RQ_SIZE))).toBe(8);
  });

  it('transmit: gathers WQEs to EOP, writes a completion with SIGNAL, stalls on a full CQ', () => {
    const { sim, host, regs, sink, hq, cqe, dev } = rig(1, 8);
    const data = host.dma.alloc(4096, 'tx data');
    data.u8.fill(0xab, 0, 100);
    const v = hq[0].sq.view;
    const putWqe = (i: number, off: number, len: number, flags: number) => {
      const addr = data.busAddr + off;
      v.setUint32(i * WQE_SIZE, addr % SEG, true);
      v.setUint32(i * WQE_SIZE + 4, Math.floor(addr / SEG), true);
      v.setUint16(i * WQE_SIZE + WQE_LENGTH, len, true);
      hq[0].sq.u8[i * WQE_SIZE + WQE_FLAGS] = flags;
    };
    // A packet in two pieces (30 + 40 bytes), then one of 20 bytes (padded to 60).
    putWqe(0, 0, 30, 0);
    putWqe(1, 30, 40, WQE_EOP | WQE_SIGNAL);
    putWqe(2, 0, 20, WQE_EOP | WQE_SIGNAL);
    regs.write32(EHEA_Q(0, Q_SQ_DOORBELL), 1); // only the first piece: nothing goes out
    sim.runUntilIdle();
    expect(dev.stats.txFrames).toBe(0);
    regs.write32(EHEA_Q(0, Q_SQ_DOORBELL), 2);
    sim.runUntilIdle();
    expect(sink.frames.map((f) => f.bytes.length)).toEqual([70, 60]);
    expect(cqe(0, 0)).toMatchObject({ wqe: 1, flags: CQE_F_TX, valid: 1 });
    expect(cqe(0, 1)).toMatchObject({ wqe: 2, flags: CQE_F_TX, valid: 1 });
    // Fill the CQ (6 more completions), then one more packet waits for a CQ credit.
    for (let i = 3; i < 8; i++) putWqe(i, 0, 60, WQE_EOP | WQE_SIGNAL);
    regs.write32(EHEA_Q(0, Q_SQ_DOORBELL), 5);
    sim.runUntilIdle();
    putWqe(0, 0, 60, WQE_EOP | WQE_SIGNAL);
    putWqe(1, 0, 60, WQE_EOP | WQE_SIGNAL);
    regs.write32(EHEA_Q(0, Q_SQ_DOORBELL), 2);
    sim.runUntilIdle();
    expect(dev.stats.txFrames).toBe(8); // 2 + 5 + 1 (the CQ had 8 entries)
    regs.write32(EHEA_Q(0, Q_CQ_DOORBELL), 8);
    sim.runUntilIdle();
    expect(dev.stats.txFrames).toBe(9);
    expect(cqe(0, 0)).toMatchObject({ wqe: 1, valid: 0 }); // second pass: phase 0
  });
});
