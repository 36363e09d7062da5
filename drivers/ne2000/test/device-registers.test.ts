import { describe, expect, it } from 'vitest';
import {
  CR_PAGE1,
  CR_PAGE2,
  CR_RD_ABORT,
  CR_RD_READ,
  CR_STA,
  CR_STP,
  CR_TXP,
  DCR_LAS,
  DCR_LS,
  DP_BNRY,
  DP_CNTR0,
  DP_CNTR1,
  DP_CNTR2,
  DP_CR,
  DP_CRDA0,
  DP_CRDA1,
  DP_CURR,
  DP_DCR,
  DP_IMR,
  DP_ISR,
  DP_MAR0,
  DP_NCR,
  DP_PAR0,
  DP_PSTART,
  DP_PSTOP,
  DP_RBCR0,
  DP_RBCR1,
  DP_RCR,
  DP_RSAR0,
  DP_RSAR1,
  DP_RSR,
  DP_TBCR0,
  DP_TBCR1,
  DP_TCR,
  DP_TPSR,
  DP_TSR,
  ISR_CNT,
  ISR_OVW,
  ISR_PRX,
  ISR_PTX,
  ISR_RDC,
  ISR_RST,
  ISR_RXE,
  ISR_TXE,
  NE_DATA,
  NE_RESET,
  RCR_AB,
  RCR_AM,
  RCR_AR,
  RCR_PRO,
  RSR_MPA,
  RSR_PHY,
  RSR_PRX,
  RTL_8029ID0,
  RTL_8029ID1,
  TCR_LB0,
  TCR_LB1,
  TSR_ABT,
  TSR_COL,
  TSR_CRS,
  TSR_PTX,
  marIndex,
} from '../src/index.js';
import { BCAST, DeviceRig, MAC, PEER, PSTART, PSTOP } from './device-rig.js';

describe('NE2000 model: reset, pages and the station PROM', () => {
  it('a read of the reset port puts the card in its reset state', () => {
    const rig = new DeviceRig();
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    rig.wr(DP_ISR, 0xff);
    rig.rd(NE_RESET);
    rig.wr(NE_RESET, 0);
    expect(rig.rd(DP_CR)).toBe(CR_STP | CR_RD_ABORT);
    expect(rig.rd(DP_ISR)).toBe(ISR_RST);
    rig.wr(DP_CR, CR_PAGE2 | CR_STP | CR_RD_ABORT);
    expect(rig.rd(DP_IMR)).toBe(0);
    expect(rig.rd(DP_TCR)).toBe(TCR_LB0 | TCR_LB1);
    expect(rig.rd(DP_DCR)).toBe(DCR_LAS);
    expect(rig.dev.stats.resets).toBe(1);
  });

  it('selects register pages with CR.PS: PAR/CURR/MAR on page 1, the write-only registers readable on page 2', () => {
    const rig = new DeviceRig();
    rig.init();
    expect(rig.rd1(DP_CURR)).toBe(PSTART);
    for (let i = 0; i < 6; i++) expect(rig.rd1(DP_PAR0 + i)).toBe(MAC[i]);
    rig.wr(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    rig.wr(DP_MAR0 + 3, 0x5a);
    expect(rig.rd(DP_MAR0 + 3)).toBe(0x5a);
    rig.wr(DP_CR, CR_PAGE2 | CR_STA | CR_RD_ABORT);
    expect([rig.rd(DP_PSTART), rig.rd(DP_PSTOP), rig.rd(DP_RCR), rig.rd(DP_TCR)]).toEqual([PSTART, PSTOP, RCR_AB, 0]);
    rig.wr(DP_PSTART, 0x99); // page 2 is read-only
    expect(rig.rd(DP_PSTART)).toBe(PSTART);
    expect(rig.dev.stats.regUnknown).toBe(1);
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    expect([rig.rd(RTL_8029ID0), rig.rd(RTL_8029ID1)]).toEqual([0x50, 0x43]);
    expect(rig.rd(DP_BNRY)).toBe(PSTOP - 1);
  });

  it('presents the station PROM at card address 0 with each byte doubled, in byte and in word mode', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.wr(DP_DCR, DCR_LS); // byte mode
    const bytes = rig.readMem(0, 32, false);
    const prom = [...MAC, 0, 0, 0, 0, 0, 0, 0, 0, 0x57, 0x57];
    expect(Array.from(bytes)).toEqual(prom.flatMap((b) => [b, b]));
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(ISR_RDC);
    rig.wr(DP_DCR, DCR_LS | 1); // word mode: 16 words, each byte in both halves
    const words = rig.readMem(0, 32);
    expect(Array.from(words)).toEqual(prom.flatMap((b) => [b, b]));
    expect(rig.dev.stats.dataWidthMismatch).toBe(0);
  });
});

describe('NE2000 model: remote DMA through the data port', () => {
  it('writes and reads card memory, counts RBCR down, raises RDC at zero and tracks CRDA', () => {
    const rig = new DeviceRig();
    rig.init();
    const data = Uint8Array.from({ length: 10 }, (_, i) => 0x10 + i);
    rig.writeMem(0x4000, data);
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(ISR_RDC);
    rig.wr(DP_ISR, ISR_RDC);
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(0); // write 1 to clear
    // A read in word accesses, one by one.
    rig.wr(DP_RBCR0, 4);
    rig.wr(DP_RBCR1, 0);
    rig.wr(DP_RSAR0, 0x02);
    rig.wr(DP_RSAR1, 0x40);
    rig.wr(DP_CR, CR_STA | CR_RD_READ);
    expect(rig.regs.read16(NE_DATA)).toBe(0x1312);
    expect((rig.rd(DP_CRDA1) << 8) | rig.rd(DP_CRDA0)).toBe(0x4004);
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(0);
    expect(rig.regs.read16(NE_DATA)).toBe(0x1514);
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(ISR_RDC);
    // Past the count: nothing moves, all ones, counted.
    expect(rig.regs.read16(NE_DATA)).toBe(0xffff);
    expect(rig.dev.stats.dataIdle).toBe(1);
    // A start with RBCR = 0 completes at once.
    rig.wr(DP_ISR, ISR_RDC);
    rig.wr(DP_RBCR0, 0);
    rig.wr(DP_CR, CR_STA | CR_RD_READ);
    expect(rig.rd(DP_ISR) & ISR_RDC).toBe(ISR_RDC);
    // Memory that does not exist reads all ones and ignores writes.
    rig.writeMem(0x9000, Uint8Array.of(1, 2));
    expect(Array.from(rig.readMem(0x9000, 2))).toEqual([0xff, 0xff]);
    expect(Array.from(rig.readMem(0x0040, 2))).toEqual([0xff, 0xff]);
  });

  it('32 KiB cards have RAM up to 0xBFFF', () => {
    const rig = new DeviceRig({ memoryKiB: 32 });
    rig.init();
    rig.writeMem(0xbffe, Uint8Array.of(7, 8));
    expect(Array.from(rig.readMem(0xbffe, 2))).toEqual([7, 8]);
  });
});

describe('NE2000 model: receive ring, ISR and IMR', () => {
  it('stores a frame with its 4-byte header at CURR, advances CURR, raises PRX; the line follows ISR & IMR', () => {
    const rig = new DeviceRig();
    rig.init();
    const f = rig.frame(BCAST, 100, 1);
    rig.sink.send(f);
    expect(rig.rd(DP_ISR)).toBe(ISR_PRX);
    expect(rig.line.asserted).toBe(false); // IMR = 0
    rig.wr(DP_IMR, ISR_PRX);
    expect(rig.line.asserted).toBe(true);
    rig.wr(DP_ISR, ISR_PRX); // acknowledge: write 1 to clear
    expect(rig.line.asserted).toBe(false);
    const hdr = rig.readMem(PSTART * 256, 4);
    expect(Array.from(hdr)).toEqual([RSR_PRX | RSR_PHY, PSTART + 1, 104, 0]);
    expect(rig.readMem(PSTART * 256 + 4, 100)).toEqual(f);
    expect(rig.rd1(DP_CURR)).toBe(PSTART + 1);
    expect(rig.rd(DP_RSR)).toBe(RSR_PRX | RSR_PHY);
    expect(rig.dev.stats.rxDelivered).toBe(1);
  });

  it('RST is a status bit: it survives writes of 1 and never asserts the line', () => {
    const rig = new DeviceRig();
    rig.rd(NE_RESET);
    rig.wr(DP_IMR, 0x7f);
    rig.wr(DP_ISR, 0xff);
    expect(rig.rd(DP_ISR)).toBe(ISR_RST);
    expect(rig.line.asserted).toBe(false);
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT); // START clears it
    expect(rig.rd(DP_ISR)).toBe(0);
  });

  it('wraps a frame from PSTOP to PSTART; the remote DMA wraps the same way', () => {
    const rig = new DeviceRig();
    rig.init();
    // Ring empty with the next frame at page PSTOP - 2: BNRY one page behind.
    rig.wr(DP_BNRY, PSTOP - 3);
    rig.wr(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    rig.wr(DP_CURR, PSTOP - 2);
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    const f = rig.frame(MAC, 700, 3); // 704 bytes: 3 pages, PSTOP-2, PSTOP-1, PSTART
    rig.sink.send(f);
    const next = PSTART + 1;
    expect(Array.from(rig.readMem((PSTOP - 2) * 256, 4))).toEqual([RSR_PRX, next, 704 & 0xff, 704 >> 8]);
    expect(rig.readMem((PSTOP - 2) * 256 + 4, 700)).toEqual(f); // one remote read across PSTOP
    expect(rig.rd1(DP_CURR)).toBe(next);
  });

  it('filters by PAR, broadcast (AB), the MAR hash (AM) and promiscuous mode; runts only with AR', () => {
    const rig = new DeviceRig();
    const group = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x07);
    rig.init(0);
    rig.sink.send(rig.frame(BCAST, 60)); // no AB
    rig.sink.send(rig.frame(PEER, 60)); // not ours
    rig.sink.send(rig.frame(group, 60)); // no AM
    expect(rig.dev.stats.rxFiltered).toBe(3);
    rig.wr(DP_RCR, RCR_AB | RCR_AM);
    rig.sink.send(rig.frame(group, 60)); // AM but its MAR bit is clear
    expect(rig.dev.stats.rxFiltered).toBe(4);
    const idx = marIndex(group);
    rig.wr(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    rig.wr(DP_MAR0 + (idx >> 3), 1 << (idx & 7));
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    rig.sink.send(rig.frame(group, 60));
    rig.sink.send(rig.frame(BCAST, 60));
    rig.sink.send(rig.frame(MAC, 59)); // runt
    expect(rig.dev.stats.rxDelivered).toBe(2);
    expect(rig.dev.stats.rxRunt).toBe(1);
    rig.wr(DP_RCR, RCR_PRO | RCR_AR);
    rig.sink.send(rig.frame(PEER, 60));
    rig.sink.send(rig.frame(MAC, 59));
    expect(rig.dev.stats.rxDelivered).toBe(4);
  });

  it('the MAR index is the top 6 bits of the big-endian CRC-32 (checked against the reflected table CRC)', () => {
    // Independent computation: the reflected CRC-32 register is the bit reversal of the big-endian one.
    const table = new Int32Array(256).map((_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c;
    });
    const reflected = (a: Uint8Array) => {
      let c = -1;
      for (const b of a) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
      return c >>> 0;
    };
    const rev6 = (x: number) => {
      let r = 0;
      for (let i = 0; i < 6; i++) r |= ((x >>> i) & 1) << (5 - i);
      return r;
    };
    for (const addr of [BCAST, MAC, Uint8Array.of(1, 0, 0x5e, 0, 0, 1), Uint8Array.of(0x33, 0x33, 0, 0, 0, 1)]) {
      expect(marIndex(addr)).toBe(rev6(reflected(addr) & 0x3f));
    }
    expect(marIndex(BCAST)).toBeGreaterThanOrEqual(0);
  });

  it('ignores the wire while stopped or in loopback', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.wr(DP_TCR, TCR_LB0);
    rig.sink.send(rig.frame(MAC, 60));
    rig.wr(DP_TCR, 0);
    rig.wr(DP_CR, CR_STP | CR_RD_ABORT);
    rig.sink.send(rig.frame(MAC, 60));
    expect(rig.dev.stats.rxLoopback).toBe(1);
    expect(rig.dev.stats.rxStopped).toBe(1);
    expect(rig.dev.stats.rxDelivered).toBe(0);
  });
});

describe('NE2000 model: overflow and the tally counters', () => {
  it('a full ring raises OVW and wedges the receiver until STOP; RST after RBCR is cleared; CNTR2 counts', () => {
    const rig = new DeviceRig();
    rig.init();
    // 52 ring pages, 51 usable: 17 frames of 3 pages fill it.
    for (let i = 0; i < 17; i++) rig.sink.send(rig.frame(MAC, 700, i));
    expect(rig.dev.stats.rxDelivered).toBe(17);
    expect(rig.rd(DP_ISR) & ISR_OVW).toBe(0);
    rig.sink.send(rig.frame(MAC, 60)); // no page left
    expect(rig.rd(DP_ISR) & (ISR_OVW | ISR_RXE | ISR_RST)).toBe(ISR_OVW | ISR_RXE | ISR_RST);
    expect(rig.rd(DP_RSR)).toBe(RSR_MPA);
    // Giving pages back does not help: the receiver is wedged.
    rig.wr(DP_BNRY, PSTART + 10);
    rig.sink.send(rig.frame(MAC, 60));
    expect(rig.dev.stats.rxMissed).toBe(2);
    expect(rig.dev.peek().wedged).toBe(true);
    // STOP with RBCR non-zero: RST only once RBCR is cleared.
    rig.wr(DP_RBCR0, 4);
    rig.wr(DP_ISR, 0xff);
    rig.wr(DP_CR, CR_STP | CR_RD_ABORT);
    expect(rig.rd(DP_ISR) & ISR_RST).toBe(0);
    rig.wr(DP_RBCR0, 0);
    rig.wr(DP_RBCR1, 0);
    expect(rig.rd(DP_ISR) & ISR_RST).toBe(ISR_RST);
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    rig.sink.send(rig.frame(MAC, 60));
    expect(rig.dev.stats.rxDelivered).toBe(18);
    expect(rig.rd(DP_CNTR2)).toBe(2);
    expect(rig.rd(DP_CNTR2)).toBe(0); // clear on read
    expect([rig.rd(DP_CNTR0), rig.rd(DP_CNTR1)]).toEqual([0, 0]);
  });

  it('raises CNT when a counter reaches 128', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.wr(DP_BNRY, PSTART); // ring full from the start (CURR == BNRY)
    rig.wr(DP_CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    rig.wr(DP_CURR, PSTART);
    rig.wr(DP_CR, CR_STA | CR_RD_ABORT);
    for (let i = 0; i < 127; i++) rig.sink.send(rig.frame(MAC, 60));
    expect(rig.rd(DP_ISR) & ISR_CNT).toBe(0);
    rig.sink.send(rig.frame(MAC, 60));
    expect(rig.rd(DP_ISR) & ISR_CNT).toBe(ISR_CNT);
    expect(rig.rd(DP_CNTR2)).toBe(128);
  });
});

describe('NE2000 model: transmit from card memory', () => {
  function loadAndSend(rig: DeviceRig, len: number): Uint8Array {
    const f = rig.frame(PEER, len, 9);
    rig.writeMem(0x4000, f);
    rig.wr(DP_ISR, ISR_RDC);
    rig.wr(DP_TPSR, 0x40);
    rig.wr(DP_TBCR0, len & 0xff);
    rig.wr(DP_TBCR1, len >> 8);
    rig.wr(DP_CR, CR_STA | CR_TXP | CR_RD_ABORT);
    return f;
  }

  it('sends TBCR bytes from TPSR at the link speed, then PTX', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.wr(DP_IMR, ISR_PTX | ISR_TXE);
    const f = loadAndSend(rig, 100);
    expect(rig.rd(DP_CR) & CR_TXP).toBe(CR_TXP);
    rig.sim.runUntilIdle();
    // (100 + preamble, FCS and gap: 24) bytes at 10 Mb/s = 99.2 µs.
    expect(rig.sink.frames).toHaveLength(1);
    expect(rig.sink.frames[0].at).toBe(99_200);
    expect(rig.sink.frames[0].bytes).toEqual(f);
    expect(rig.irqs).toEqual([ISR_PTX]);
    expect(rig.rd(DP_TSR)).toBe(TSR_PTX);
    expect(rig.rd(DP_CR) & CR_TXP).toBe(0);
  });

  it('counts collisions in NCR, aborts after 16 (TXE), reports no carrier (CRS)', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.dev.injectCollisions(3, 16);
    loadAndSend(rig, 60);
    rig.sim.runUntilIdle();
    expect(rig.rd(DP_TSR)).toBe(TSR_PTX | TSR_COL);
    expect(rig.rd(DP_NCR)).toBe(3);
    rig.wr(DP_ISR, 0xff);
    loadAndSend(rig, 60);
    rig.sim.runUntilIdle();
    expect(rig.rd(DP_TSR) & TSR_ABT).toBe(TSR_ABT);
    expect(rig.rd(DP_ISR) & (ISR_TXE | ISR_PTX)).toBe(ISR_TXE);
    rig.wr(DP_ISR, 0xff);
    rig.sink.setCarrier(false);
    loadAndSend(rig, 60);
    rig.sim.runUntilIdle();
    expect(rig.rd(DP_TSR)).toBe(TSR_PTX | TSR_CRS);
    expect(rig.sink.frames).toHaveLength(1);
    expect(rig.dev.stats).toMatchObject({ txFrames: 1, txAborted: 1, txNoCarrier: 1 });
  });

  it('a STOP during a transmission cuts it short: TXP clears with neither PTX nor TXE', () => {
    const rig = new DeviceRig();
    rig.init();
    loadAndSend(rig, 1000);
    rig.sim.runFor(10_000);
    rig.wr(DP_CR, CR_STP | CR_RD_ABORT);
    rig.sim.runUntilIdle();
    expect(rig.rd(DP_CR) & CR_TXP).toBe(0);
    expect(rig.rd(DP_ISR) & (ISR_PTX | ISR_TXE)).toBe(0);
    expect(rig.sink.frames).toHaveLength(0);
    expect(rig.dev.stats.txStoppedMidway).toBe(1);
    // TPSR/TBCR still hold it: START + TXP sends it again.
    rig.wr(DP_CR, CR_STA | CR_TXP | CR_RD_ABORT);
    rig.sim.runUntilIdle();
    expect(rig.sink.frames).toHaveLength(1);
  });

  it('RBCR, RSAR and the read command are plain registers: a remote read of the ring after a receive', () => {
    const rig = new DeviceRig();
    rig.init();
    rig.sink.send(rig.frame(MAC, 64, 5));
    rig.wr(DP_RBCR0, 4);
    rig.wr(DP_RBCR1, 0);
    rig.wr(DP_RSAR0, 0);
    rig.wr(DP_RSAR1, PSTART);
    rig.wr(DP_CR, CR_STA | CR_RD_READ);
    expect([rig.regs.read16(NE_DATA), rig.regs.read16(NE_DATA)]).toEqual([RSR_PRX | ((PSTART + 1) << 8), 68]);
  });
});
