/**
 * A register-level test rig: a real host (CPU, interrupt controller) with one NE2000 model plugged in and
 * *no driver*. Tests play the driver by hand through the same `BusSpace` and interrupt line a driver gets,
 * and a `FrameSink` attached directly is the card's wire.
 */
import {
  type BusSpace,
  type Host,
  IPL_NET,
  type InterruptSource,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
} from '@ifnet/core';
import { ethernetFrame } from '@ifnet/testkit';
import { FrameSink } from '@ifnet/wire';
import {
  CR_PAGE1,
  CR_RD_ABORT,
  CR_RD_READ,
  CR_RD_WRITE,
  CR_STA,
  CR_STP,
  DCR_FT1,
  DCR_LS,
  DCR_WTS,
  DP_BNRY,
  DP_CR,
  DP_CURR,
  DP_DCR,
  DP_IMR,
  DP_ISR,
  DP_PAR0,
  DP_PSTART,
  DP_PSTOP,
  DP_RBCR0,
  DP_RBCR1,
  DP_RCR,
  DP_RSAR0,
  DP_RSAR1,
  DP_TCR,
  NE_DATA,
  NE_RESET,
  Ne2000Device,
  type Ne2000DeviceOptions,
  RCR_AB,
} from '../src/index.js';

export const MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
export const PEER = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
export const BCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** The ring the rig programs: pages 0x4C..0x7F (52 pages). */
export const PSTART = 0x4c;
export const PSTOP = 0x80;

export class DeviceRig {
  readonly sim = new Simulation({ seed: 1 });
  readonly host: Host;
  readonly dev: Ne2000Device;
  readonly regs: BusSpace;
  readonly line: InterruptSource;
  readonly sink: FrameSink;
  /** ISR values seen by the interrupt handler (which masks the card so the test decides what to do). */
  readonly irqs: number[] = [];

  constructor(options: Partial<Ne2000DeviceOptions> = {}) {
    const platform = createPlatform();
    this.host = platform.createHost({ name: 'h', runner: this.sim, costs: ZERO_COST_PROFILE, loopback: false });
    this.dev = new Ne2000Device({ mac: MAC, ...options });
    const slot = this.host.attachDevice(this.dev);
    this.regs = slot.attachArgs.bars[0];
    this.line = slot.attachArgs.irqs[0];
    this.sink = new FrameSink({ clock: this.sim.clock });
    this.sink.attach(this.dev);
    this.host.cpu.intr.establish(
      this.line,
      IPL_NET,
      (rig: DeviceRig) => {
        rig.irqs.push(rig.regs.read8(DP_ISR));
        rig.regs.write8(DP_IMR, 0);
        return true;
      },
      this as DeviceRig,
      'rig',
    );
  }

  rd(off: number): number {
    return this.regs.read8(off);
  }

  wr(off: number, v: number): void {
    this.regs.write8(off, v);
  }

  /** Reads a page-1 register and goes back to page 0 (keeping the run bits). */
  rd1(off: number): number {
    const cr = this.rd(DP_CR) & 0x03;
    this.wr(DP_CR, CR_PAGE1 | cr | CR_RD_ABORT);
    const v = this.rd(off);
    this.wr(DP_CR, cr | CR_RD_ABORT);
    return v;
  }

  /** Reset and the data sheet's initialisation, with the ring at PSTART..PSTOP; receive broadcast. */
  init(rcr = RCR_AB): void {
    this.rd(NE_RESET);
    this.wr(DP_CR, CR_STP | CR_RD_ABORT);
    this.wr(DP_DCR, DCR_WTS | DCR_LS | DCR_FT1);
    this.wr(DP_RBCR0, 0);
    this.wr(DP_RBCR1, 0);
    this.wr(DP_RCR, rcr);
    this.wr(DP_TCR, 0x02);
    this.wr(DP_PSTART, PSTART);
    this.wr(DP_BNRY, PSTOP - 1);
    this.wr(DP_PSTOP, PSTOP);
    this.wr(DP_ISR, 0xff);
    this.wr(DP_CR, CR_PAGE1 | CR_STP | CR_RD_ABORT);
    for (let i = 0; i < 6; i++) this.wr(DP_PAR0 + i, MAC[i]);
    this.wr(DP_CURR, PSTART);
    this.wr(DP_CR, CR_STA | CR_RD_ABORT);
    this.wr(DP_TCR, 0);
  }

  private remote(addr: number, count: number, cmd: number): void {
    this.wr(DP_CR, CR_STA | CR_RD_ABORT);
    this.wr(DP_RBCR0, count & 0xff);
    this.wr(DP_RBCR1, count >>> 8);
    this.wr(DP_RSAR0, addr & 0xff);
    this.wr(DP_RSAR1, addr >>> 8);
    this.wr(DP_CR, CR_STA | cmd);
  }

  /** Remote-DMA read of `len` bytes (word mode unless DCR.WTS was cleared) through the data port. */
  readMem(addr: number, len: number, word = true): Uint8Array {
    const out = new Uint8Array(len + 1);
    this.remote(addr, word ? (len + 1) & ~1 : len, CR_RD_READ);
    if (word) this.regs.readMulti16(NE_DATA, out, 0, (len + 1) >>> 1);
    else this.regs.readMulti8(NE_DATA, out, 0, len);
    return out.subarray(0, len);
  }

  /** Remote-DMA write of `bytes` (word mode). */
  writeMem(addr: number, bytes: Uint8Array): void {
    const src = new Uint8Array(bytes.length + 1);
    src.set(bytes);
    this.remote(addr, (bytes.length + 1) & ~1, CR_RD_WRITE);
    this.regs.writeMulti16(NE_DATA, src, 0, (bytes.length + 1) >>> 1);
  }

  /** A frame of `len` bytes to `dst` from PEER, payload bytes `seed + i`. */
  frame(dst: Uint8Array, len: number, seed = 0): Uint8Array {
    const payload = Uint8Array.from({ length: len - 14 }, (_, i) => (seed + 14 + i) & 0xff);
    return ethernetFrame({ dst, src: PEER, type: 0x88b5 }, payload);
  }
}
