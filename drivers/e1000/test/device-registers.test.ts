import { Simulation, createPlatform } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { E1000Device, parseMac } from '../src/index.js';
import {
  CTRL_FD,
  CTRL_RST,
  CTRL_SLU,
  E1000_BPRC,
  E1000_CTRL,
  E1000_GORCH,
  E1000_GORCL,
  E1000_GOTCH,
  E1000_GOTCL,
  E1000_GPRC,
  E1000_GPTC,
  E1000_ICR,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_MPC,
  E1000_MPRC,
  E1000_MTA,
  E1000_PBA,
  E1000_RAH,
  E1000_RAL,
  E1000_RCTL,
  E1000_RDLEN,
  E1000_RDT,
  E1000_RNBC,
  E1000_ROC,
  E1000_RUC,
  E1000_STATUS,
  E1000_TDT,
  E1000_TPR,
  E1000_TPT,
  ICR_LSC,
  ICR_RXDMT0,
  ICR_RXO,
  ICR_RXT0,
  ICR_TXDW,
  ICR_TXQE,
  RAH_AV,
  RCTL_BAM,
  RCTL_BSIZE_1024,
  RCTL_EN,
  RCTL_LPE,
  RCTL_MPE,
  RCTL_RDMTS_QUARTER,
  RCTL_SBP,
  RCTL_SECRC,
  RCTL_UPE,
  RXD_ERR_RXE,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  STATUS_FD,
  STATUS_LU,
  STATUS_SPEED_1000,
  TCTL_EN,
  TXD_CMD_EOP,
  TXD_CMD_IFCS,
  TXD_CMD_RS,
  TXD_STAT_DD,
  mtaHash,
  rctlBufferSize,
} from '../src/regs.js';
import { crc32 } from '../src/internals.js';
import { BCAST, DeviceRig, MAC, PEER, SEG, ethFrame } from './device-helpers.js';

describe('e1000 model: identity, reset and link', () => {
  it('identifies as 8086:100E with one vector and a 128 KiB BAR0', () => {
    const dev = new E1000Device({ mac: '02:00:00:00:00:01' });
    expect(dev.ident).toEqual({ vendor: 0x8086, device: 0x100e, deviceClass: 'network' });
    expect(dev.interruptVectors).toBe(1);
    expect(dev.bars[0].size).toBe(0x20000);
    expect(Array.from(dev.mac)).toEqual(Array.from(MAC));
    expect(() => new E1000Device({ mac: '02:00:00' })).toThrow(RangeError);
    expect(() => new E1000Device({ mac: new Uint8Array(5) })).toThrow(RangeError);
  });

  it('loads the MAC into RAL0/RAH0 with AV at reset; RST self-clears and resets every register', () => {
    const rig = new DeviceRig();
    expect(rig.read(E1000_RAL(0))).toBe(0x00000002);
    expect(rig.read(E1000_RAH(0))).toBe((RAH_AV | 0x0100) >>> 0);
    expect(rig.read(E1000_PBA)).toBe(0x30);
    rig.write(E1000_RAL(0), 0x12345678);
    rig.write(E1000_IMS, ICR_RXT0);
    rig.write(E1000_RCTL, RCTL_EN);
    rig.write(E1000_MTA + 4, 0xffff);
    rig.write(E1000_CTRL, CTRL_SLU | CTRL_RST);
    expect(rig.read(E1000_CTRL)).toBe(CTRL_FD);
    expect(rig.read(E1000_CTRL) & CTRL_RST).toBe(0);
    expect(rig.read(E1000_RAL(0))).toBe(0x00000002);
    expect(rig.read(E1000_IMS)).toBe(0);
    expect(rig.read(E1000_RCTL)).toBe(0);
    expect(rig.read(E1000_MTA + 4)).toBe(0);
    expect(rig.dev.stats.resets).toBe(2); // power-on (bus connect) + ours
  });

  it('reports link up in STATUS once SLU is set and carrier is present, raising LSC on each change', () => {
    const rig = new DeviceRig();
    expect(rig.read(E1000_STATUS)).toBe(STATUS_FD | STATUS_SPEED_1000);
    rig.write(E1000_IMS, ICR_LSC);
    rig.run(1000);
    rig.set(E1000_CTRL, CTRL_SLU);
    expect(rig.read(E1000_STATUS)).toBe(STATUS_FD | STATUS_SPEED_1000 | STATUS_LU);
    rig.run(2000);
    rig.sink.setCarrier(false);
    expect(rig.read(E1000_STATUS) & STATUS_LU).toBe(0);
    rig.run(3000);
    rig.sink.setCarrier(true);
    rig.run(4000);
    expect(rig.irqs).toEqual([
      { at: 1000, icr: ICR_LSC },
      { at: 2000, icr: ICR_LSC },
      { at: 3000, icr: ICR_LSC },
    ]);
    expect(rig.read(E1000_STATUS) & STATUS_LU).toBe(STATUS_LU);
  });
});

describe('e1000 model: interrupt cause and mask registers', () => {
  it('asserts the line while ICR & IMS is non-zero; reading ICR returns and clears the causes', () => {
    const rig = new DeviceRig();
    rig.write(E1000_ICS, ICR_TXDW | ICR_RXT0);
    expect(rig.line.asserted).toBe(false); // masked
    expect(rig.read(E1000_IMS)).toBe(0);
    rig.write(E1000_IMS, ICR_RXT0);
    expect(rig.read(E1000_IMS)).toBe(ICR_RXT0);
    expect(rig.line.asserted).toBe(true);
    rig.write(E1000_IMC, ICR_RXT0);
    expect(rig.line.asserted).toBe(false); // masked again; the causes stay in ICR
    rig.write(E1000_IMS, ICR_TXDW | ICR_RXT0);
    expect(rig.line.asserted).toBe(true);
    expect(rig.read(E1000_ICR)).toBe(ICR_TXDW | ICR_RXT0);
    expect(rig.line.asserted).toBe(false);
    expect(rig.read(E1000_ICR)).toBe(0);
  });

  it('clears only the ICR bits written as 1s', () => {
    const rig = new DeviceRig();
    rig.write(E1000_IMS, ICR_TXDW | ICR_RXT0);
    rig.write(E1000_ICS, ICR_TXDW | ICR_RXT0 | ICR_LSC);
    rig.write(E1000_ICR, ICR_TXDW | ICR_RXT0);
    expect(rig.line.asserted).toBe(false); // LSC is pending but masked
    expect(rig.read(E1000_ICR)).toBe(ICR_LSC);
  });

  it('an interrupt handler that reads ICR takes one interrupt per cause burst', () => {
    const rig = new DeviceRig();
    rig.write(E1000_IMS, ICR_TXDW);
    rig.run(500);
    rig.write(E1000_ICS, ICR_TXDW);
    rig.write(E1000_ICS, ICR_TXDW); // already asserted: same interrupt
    rig.run(1000);
    expect(rig.irqs).toEqual([{ at: 500, icr: ICR_TXDW }]);
    expect(rig.line.stats.asserts).toBe(1);
  });

  it('counts unknown registers (read 0, writes ignored), narrow accesses and writes to read-only registers', () => {
    const rig = new DeviceRig();
    expect(rig.read(0x0f00)).toBe(0);
    rig.write(0x0f00, 1);
    expect(rig.read(0x0f00)).toBe(0);
    rig.write(E1000_STATUS, 0);
    rig.write(E1000_GPRC, 5);
    expect(rig.regs.read16(E1000_RAH(0))).toBe(0x0100);
    rig.regs.write8(E1000_CTRL, 0xff);
    expect(rig.dev.stats).toMatchObject({ regUnknownReads: 2, regUnknownWrites: 1, regBadWidth: 2, regBadWrites: 2 });
    expect(rig.read(E1000_CTRL)).toBe(CTRL_FD);
  });
});

describe('e1000 model: receive', () => {
  it('writes a frame into the buffer of the descriptor at RDH, with length and DD|EOP, and advances RDH', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8);
    const f = ethFrame(MAC, 100, 7);
    rig.inject(f);
    expect(rig.rxStatus(0)).toBe(RXD_STAT_DD | RXD_STAT_EOP);
    expect(rig.rxLength(0)).toBe(100);
    expect(rig.rxErrors(0)).toBe(0);
    expect(rig.rxData(0)).toEqual(Array.from(f));
    expect(rig.rxStatus(1)).toBe(0);
    expect(rig.heads()).toMatchObject({ rdh: 1, rdt: 7 });
    expect(rig.read(E1000_ICR)).toBe(ICR_RXT0);
    // Statistics: clear on read; octets include the FCS; the 64-bit pair clears on reading the high half.
    expect(rig.read(E1000_GPRC)).toBe(1);
    expect(rig.read(E1000_GPRC)).toBe(0);
    expect(rig.read(E1000_TPR)).toBe(1);
    expect(rig.read(E1000_GORCL)).toBe(104);
    expect(rig.read(E1000_GORCH)).toBe(0);
    expect(rig.read(E1000_GORCL)).toBe(0);
  });

  it('a burst of frames on an asserted line is one interrupt; RXT0 pends for each frame, masked or not', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(64); // far above the RXDMT0 threshold
    rig.write(E1000_IMS, ICR_RXT0);
    for (let i = 0; i < 3; i++) rig.inject(ethFrame(MAC, 60, i));
    expect(rig.line.asserted).toBe(true);
    expect(rig.dev.stats.irqAsserts).toBe(1);
    expect(rig.read(E1000_ICR)).toBe(ICR_RXT0);
    expect(rig.line.asserted).toBe(false);
    rig.inject(ethFrame(MAC, 60, 3)); // the next frame after ICR was read: a new assertion
    expect(rig.dev.stats.irqAsserts).toBe(2);
    expect(rig.read(E1000_ICR)).toBe(ICR_RXT0);
    // RXT0 masked: it still pends in ICR, the line stays low, and unmasking raises it.
    rig.write(E1000_IMC, ICR_RXT0);
    rig.inject(ethFrame(MAC, 60, 4));
    expect(rig.line.asserted).toBe(false);
    rig.write(E1000_IMS, ICR_RXT0);
    expect(rig.line.asserted).toBe(true);
    expect(rig.dev.stats.irqAsserts).toBe(3);
    expect(rig.dev.stats.rxDelivered).toBe(5);
  });

  it('keeps the FCS when SECRC is clear, and uses 1024-byte buffers with BSIZE=01', () => {
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926);
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8, RCTL_EN | RCTL_BSIZE_1024, 1024);
    expect(rctlBufferSize(rig.read(E1000_RCTL))).toBe(1024);
    const f = ethFrame(MAC, 1500, 1);
    rig.inject(f);
    // 1504 bytes with FCS: 1024 + 480 across two descriptors, EOP on the second only.
    expect([rig.rxStatus(0), rig.rxLength(0)]).toEqual([RXD_STAT_DD, 1024]);
    expect([rig.rxStatus(1), rig.rxLength(1)]).toEqual([RXD_STAT_DD | RXD_STAT_EOP, 480]);
    const data = [...rig.rxData(0), ...rig.rxData(1)];
    const fcs = crc32(f, 0, f.length);
    expect(data).toEqual([...Array.from(f), fcs & 0xff, (fcs >>> 8) & 0xff, (fcs >>> 16) & 0xff, fcs >>> 24]);
    expect(rig.heads().rdh).toBe(2);
  });

  it('spans descriptors with LPE, drops oversize frames (ROC) and undersize frames (RUC) unless SBP', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8, RCTL_EN | RCTL_SECRC);
    rig.inject(ethFrame(MAC, 1515)); // 1519 with FCS > 1518
    rig.inject(ethFrame(MAC, 1514)); // exactly 1518: accepted
    const tagged = ethFrame(MAC, 1518, 0, PEER, 0x8100); // 1522 with FCS, 802.1Q tagged: accepted
    rig.inject(tagged);
    rig.inject(ethFrame(MAC, 1519, 0, PEER, 0x8100)); // 1523 with FCS, tagged: too long
    rig.inject(ethFrame(MAC, 1518, 0, PEER, 0x8101)); // 1522 but not 802.1Q (0x8101): too long
    rig.inject(ethFrame(MAC, 59)); // 63 with FCS
    rig.inject(ethFrame(MAC, 10));
    expect(rig.read(E1000_ROC)).toBe(3);
    expect(rig.read(E1000_RUC)).toBe(2);
    expect(rig.heads().rdh).toBe(2);
    rig.write(E1000_RCTL, RCTL_EN | RCTL_SECRC | RCTL_LPE | RCTL_SBP);
    rig.inject(ethFrame(MAC, 5000, 3)); // 2048 + 2048 + 904
    rig.inject(ethFrame(MAC, 59));
    expect([2, 3, 4].map((i) => [rig.rxStatus(i), rig.rxLength(i)])).toEqual([
      [RXD_STAT_DD, 2048],
      [RXD_STAT_DD, 2048],
      [RXD_STAT_DD | RXD_STAT_EOP, 904],
    ]);
    expect([rig.rxStatus(5), rig.rxLength(5)]).toEqual([RXD_STAT_DD | RXD_STAT_EOP, 59]);
    expect(rig.dev.stats).toMatchObject({ rxFrames: 9, rxDelivered: 4, rxOversize: 3, rxUndersize: 2 });
  });

  it('misses frames when RDH == RDT: dropped in the device, RXO raised, MPC and RNBC counted', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8); // RDT = 7: seven free descriptors
    for (let i = 0; i < 10; i++) rig.inject(ethFrame(MAC, 60, i));
    expect(rig.heads()).toMatchObject({ rdh: 7, rdt: 7 });
    expect(rig.read(E1000_ICR)).toBe(ICR_RXT0 | ICR_RXO | ICR_RXDMT0);
    expect(rig.read(E1000_MPC)).toBe(3);
    expect(rig.read(E1000_MPC)).toBe(0);
    expect(rig.read(E1000_RNBC)).toBe(3);
    expect(rig.dev.stats).toMatchObject({ rxFrames: 10, rxDelivered: 7, rxMissed: 3 });
    // Hand two descriptors back (RDT 7 -> 1): the next frame lands in descriptor 7.
    rig.write(E1000_RDT, 1);
    rig.inject(ethFrame(MAC, 60, 42));
    expect(rig.rxStatus(7)).toBe(RXD_STAT_DD | RXD_STAT_EOP);
    expect(rig.rxData(7)[15]).toBe((42 + 15) & 0xff);
    expect(rig.heads().rdh).toBe(0);
  });

  it('raises RXDMT0 once when the free descriptors fall to RDLEN >> (RDMTS+1)', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(16, RCTL_EN | RCTL_SECRC | RCTL_RDMTS_QUARTER, 2048, 15); // threshold 16 >> 2 = 4
    const causes: number[] = [];
    for (let i = 0; i < 13; i++) {
      rig.inject(ethFrame(MAC));
      causes.push(rig.read(E1000_ICR) & ICR_RXDMT0);
    }
    // Free descriptors after each frame: 14, 13, ..., 4 (11th frame), 3, 2.
    expect(causes.map((c, i) => (c ? i + 1 : 0)).filter((x) => x)).toEqual([11]);
  });

  it('rejects a frame whose RDT is beyond the ring, ignoring the write', () => {
    const rig = new DeviceRig();
    rig.setupRx(8);
    rig.write(E1000_RDT, 8);
    expect(rig.read(E1000_RDT)).toBe(7);
    expect(rig.read(E1000_RDLEN)).toBe(128);
    expect(rig.dev.stats.regBadWrites).toBe(1);
  });

  it('filters: exact RAL/RAH with AV, broadcast with BAM, multicast by MTA hash or MPE, anything with UPE', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(64, RCTL_EN | RCTL_SECRC);
    const other = parseMac('02:00:00:00:00:99');
    const mcast = parseMac('01:00:5e:00:00:fb');
    const mcast2 = parseMac('01:00:5e:00:00:fc');
    const try1 = (f: Uint8Array) => {
      const before = rig.dev.stats.rxDelivered;
      rig.inject(f);
      return rig.dev.stats.rxDelivered > before;
    };
    expect(try1(ethFrame(MAC))).toBe(true);
    expect(try1(ethFrame(other))).toBe(false);
    expect(try1(ethFrame(BCAST))).toBe(false);
    expect(try1(ethFrame(mcast))).toBe(false);
    // All ones but the last bit: a group address, not broadcast (BAM does not take it).
    const almost = parseMac('ff:ff:ff:ff:ff:fe');
    // Second receive address, valid.
    rig.write(E1000_RAL(3), 0x00000002);
    rig.write(E1000_RAH(3), (RAH_AV | 0x9900) >>> 0);
    expect(try1(ethFrame(other))).toBe(true);
    rig.write(E1000_RAH(3), 0x9900); // AV clear
    expect(try1(ethFrame(other))).toBe(false);
    // An address with bit 31 of RAL set (an unsigned register value), then RAL rewritten under a valid RAH.
    const high = parseMac('02:00:00:80:00:99');
    rig.write(E1000_RAL(3), 0x80000002);
    rig.write(E1000_RAH(3), (RAH_AV | 0x9900) >>> 0);
    expect(try1(ethFrame(high))).toBe(true);
    expect(try1(ethFrame(other))).toBe(false);
    rig.write(E1000_RAL(3), 0x00000002);
    expect(try1(ethFrame(other))).toBe(true);
    expect(try1(ethFrame(high))).toBe(false);
    rig.write(E1000_RAH(3), 0x9900);
    // Multicast hash.
    const h = mtaHash(mcast, 0);
    expect(h).toBe(0xfb0); // address bits 47:36: (byte5 << 4) | (byte4 >> 4)
    rig.write(E1000_MTA + 4 * (h >>> 5), 1 << (h & 31));
    expect(try1(ethFrame(mcast))).toBe(true);
    expect(try1(ethFrame(mcast2))).toBe(false);
    rig.write(E1000_RCTL, RCTL_EN | RCTL_SECRC | RCTL_BAM);
    expect(try1(ethFrame(BCAST))).toBe(true);
    expect(try1(ethFrame(almost))).toBe(false); // its MTA hash bit (0xFEF) is clear
    rig.write(E1000_RCTL, RCTL_EN | RCTL_SECRC | RCTL_MPE);
    expect(try1(ethFrame(mcast2))).toBe(true);
    expect(try1(ethFrame(other))).toBe(false);
    rig.write(E1000_RCTL, RCTL_EN | RCTL_SECRC | RCTL_UPE);
    expect(try1(ethFrame(other))).toBe(true);
    expect(try1(ethFrame(mcast2))).toBe(false);
    expect(rig.read(E1000_BPRC)).toBe(1);
    expect(rig.read(E1000_MPRC)).toBe(2);
  });

  it('drops frames while the receiver is disabled or the MAC link is down, counting them in the model', () => {
    const rig = new DeviceRig();
    rig.setupRx(8);
    rig.inject(ethFrame(MAC)); // SLU not set
    rig.linkUp();
    rig.write(E1000_RCTL, 0);
    rig.inject(ethFrame(MAC));
    expect(rig.dev.stats).toMatchObject({ rxFrames: 2, rxNoLink: 1, rxDisabled: 1, rxDelivered: 0 });
    expect(rig.read(E1000_MPC)).toBe(0);
  });

  it('flags a descriptor with address 0 or an unmapped buffer with RXE; the bus counts the unmapped one', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8);
    rig.rx!.ring.view.setBigUint64(0, 0n, true); // uninitialised descriptor
    rig.rx!.ring.view.setBigUint64(16, BigInt(7 * SEG + 0x1000), true); // unmapped segment
    const errorsBefore = rig.host.dma.busErrors;
    rig.inject(ethFrame(MAC));
    rig.inject(ethFrame(MAC));
    rig.inject(ethFrame(MAC));
    expect([0, 1, 2].map((i) => [rig.rxStatus(i), rig.rxErrors(i)])).toEqual([
      [RXD_STAT_DD | RXD_STAT_EOP, RXD_ERR_RXE],
      [RXD_STAT_DD | RXD_STAT_EOP, RXD_ERR_RXE], // like a master abort: the data is lost, the bus counted it
      [RXD_STAT_DD | RXD_STAT_EOP, 0],
    ]);
    expect(rig.dev.stats.rxDmaErrors).toBe(2);
    expect(rig.host.dma.busErrors - errorsBefore).toBe(1); // one refused map load
    expect(rig.rxData(2)).toEqual(Array.from(ethFrame(MAC)));
  });

  it('copies a frame spanning buffers byte for byte (one DMA map load per buffer)', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupRx(8, RCTL_EN | RCTL_SECRC | RCTL_LPE);
    const f = ethFrame(MAC, 3000, 5);
    rig.inject(f);
    expect([...rig.rxData(0), ...rig.rxData(1)]).toEqual(Array.from(f));
  });
});

describe('e1000 model: transmit', () => {
  it('sends EOP-terminated packets from TDH to TDT, pads with PSP, writes DD only where RS, raises TXDW/TXQE', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupTx(8);
    rig.write(E1000_IMS, ICR_TXDW | ICR_TXQE);
    const a = ethFrame(PEER, 100, 1);
    const short = ethFrame(PEER, 42, 2);
    rig.txDesc(0, a.subarray(0, 30), TXD_CMD_IFCS);
    rig.txDesc(1, a.subarray(30), TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS);
    rig.txDesc(2, short, TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS);
    rig.run(1000);
    rig.write(E1000_TDT, 3);
    expect(rig.sink.frames).toEqual([]); // the engine runs on the clock, not inside the register write
    rig.run(100_000);
    const padded = new Uint8Array(60);
    padded.set(short);
    // 100-byte frame: (100 + 24) × 8 ns = 992 ns on the port before the next may start.
    expect(rig.sink.frames).toEqual([
      { at: 1000, bytes: a },
      { at: 1992, bytes: padded },
    ]);
    expect([0, 1, 2].map((i) => rig.txStatus(i))).toEqual([0, TXD_STAT_DD, TXD_STAT_DD]);
    expect(rig.heads()).toMatchObject({ tdh: 3, tdt: 3 });
    expect(rig.irqs).toEqual([
      { at: 1000, icr: ICR_TXDW },
      { at: 1992, icr: ICR_TXDW | ICR_TXQE },
    ]);
    expect(rig.read(E1000_GPTC)).toBe(2);
    expect(rig.read(E1000_TPT)).toBe(2);
    expect(rig.read(E1000_GOTCL)).toBe(104 + 64);
    expect(rig.read(E1000_GOTCH)).toBe(0);
    expect(rig.dev.stats).toMatchObject({ txFrames: 2, txBytes: 160 });
  });

  it('paces back-to-back full-size frames at the link speed and waits for EOP', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupTx(8);
    rig.txDesc(0, ethFrame(PEER, 1514, 0), TXD_CMD_EOP);
    rig.txDesc(1, ethFrame(PEER, 1514, 1), TXD_CMD_EOP);
    rig.txDesc(2, ethFrame(PEER, 1000, 2), 0); // no EOP yet
    rig.write(E1000_TDT, 3);
    rig.run(1_000_000);
    expect(rig.sink.frames.map((f) => f.at)).toEqual([0, 12_304]);
    expect(rig.heads().tdh).toBe(2);
    rig.txDesc(3, ethFrame(PEER, 500, 3).subarray(0, 500), TXD_CMD_EOP);
    rig.write(E1000_TDT, 4);
    rig.run(2_000_000);
    expect(rig.sink.frames.map((f) => [f.at, f.bytes.length])).toEqual([
      [0, 1514],
      [12_304, 1514],
      [1_000_000, 1500],
    ]);
    expect(rig.txStatus(0)).toBe(0); // no RS: no write-back
  });

  it('completes packets the wire refuses (no carrier) and counts them', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupTx(8);
    rig.sink.setCarrier(false);
    rig.txDesc(0, ethFrame(PEER), TXD_CMD_EOP | TXD_CMD_RS);
    rig.write(E1000_TDT, 1);
    rig.run(10_000);
    expect(rig.txStatus(0)).toBe(TXD_STAT_DD);
    expect(rig.dev.stats).toMatchObject({ txFrames: 0, txRefused: 1 });
    expect(rig.read(E1000_GPTC)).toBe(0);
  });

  it('does nothing while TCTL.EN is clear and starts when it is set', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupTx(8, 0);
    rig.txDesc(0, ethFrame(PEER), TXD_CMD_EOP);
    rig.write(E1000_TDT, 1);
    rig.run(5000);
    expect(rig.sink.received).toBe(0);
    rig.write(0x400, TCTL_EN);
    rig.run(10_000);
    expect(rig.sink.frames.map((f) => f.at)).toEqual([5000]);
  });
});

describe('e1000 model: misc', () => {
  it('connects to one bus only and needs an interrupt line', () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({ name: 'x', runner: sim, loopback: false });
    const dev = new E1000Device({ mac: MAC });
    host.attachDevice(dev);
    expect(() => host.attachDevice(dev)).toThrow(/already connected/);
    expect(() => new E1000Device({ mac: MAC }).connect({ clock: sim.clock, dma: host.dma, irqs: [] })).toThrow(
      /interrupt line/,
    );
  });

  it('writes to RDT/TDT of an unconfigured ring are stored; ITR of 0 means no throttling', () => {
    const rig = new DeviceRig();
    rig.write(E1000_TDT, 5);
    expect(rig.read(E1000_TDT)).toBe(5);
    rig.write(E1000_ITR, 0x12345);
    expect(rig.read(E1000_ITR)).toBe(0x2345);
  });
});
