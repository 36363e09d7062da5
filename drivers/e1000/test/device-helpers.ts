/**
 * A register-level test rig: a real host (CPU, interrupt controller, DMA space) with one e1000 device
 * model plugged in and *no driver*. Tests play the driver by hand through the same `BusSpace`, `DmaSpace`
 * and interrupt line a driver gets, and observe interrupts through a handler that records when it ran
 * (with the zero cost profile, that is exactly when the device asserted the line) and what ICR said.
 */
import {
  type BusSpace,
  type DmaRegion,
  type Host,
  IPL_NET,
  type InterruptSource,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
} from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { E1000Device, type E1000DeviceOptions } from '../src/index.js';
import {
  CTRL_SLU,
  DESC_SIZE,
  E1000_CTRL,
  E1000_ICR,
  E1000_RCTL,
  E1000_RDBAH,
  E1000_RDBAL,
  E1000_RDH,
  E1000_RDLEN,
  E1000_RDT,
  E1000_TCTL,
  E1000_TDBAH,
  E1000_TDBAL,
  E1000_TDH,
  E1000_TDLEN,
  E1000_TDT,
  RCTL_BAM,
  RCTL_EN,
  RCTL_SECRC,
  RXD_ERRORS,
  RXD_LENGTH,
  RXD_STATUS,
  TCTL_EN,
  TCTL_PSP,
  TXD_CMD,
  TXD_LENGTH,
  TXD_STATUS,
} from '../src/regs.js';

export const MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
export const PEER = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
export const BCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
export const SEG = 0x1_0000_0000;

export interface Irq {
  at: number;
  icr: number;
}

export class DeviceRig {
  readonly sim = new Simulation({ seed: 1 });
  readonly host: Host;
  readonly dev: E1000Device;
  readonly regs: BusSpace;
  readonly line: InterruptSource;
  readonly sink: FrameSink;
  /** Interrupts taken: time and the ICR value the handler read (which acknowledged them). */
  readonly irqs: Irq[] = [];
  /** When false, the handler does not read ICR (the line stays up: tests of raw line behaviour). */
  ack = true;
  rx: { ring: DmaRegion; bufs: DmaRegion; n: number; bufSize: number } | undefined;
  tx: { ring: DmaRegion; bufs: DmaRegion; n: number } | undefined;

  constructor(options: Partial<E1000DeviceOptions> = {}) {
    const platform = createPlatform();
    this.host = platform.createHost({ name: 'h', runner: this.sim, costs: ZERO_COST_PROFILE, loopback: false });
    this.dev = new E1000Device({ mac: MAC, ...options });
    const slot = this.host.attachDevice(this.dev);
    this.regs = slot.attachArgs.bars[0];
    this.line = slot.attachArgs.irqs[0];
    this.sink = new FrameSink({ clock: this.sim.clock });
    this.sink.attach(this.dev);
    this.host.cpu.intr.establish(
      this.line,
      IPL_NET,
      (rig: DeviceRig) => {
        if (!rig.ack) {
          rig.irqs.push({ at: rig.sim.now(), icr: -1 });
          rig.line.mask();
          return true;
        }
        const icr = rig.regs.read32(E1000_ICR);
        rig.irqs.push({ at: rig.sim.now(), icr });
        return icr !== 0;
      },
      this as DeviceRig,
      'rig',
    );
  }

  get now(): number {
    return this.sim.now();
  }

  read(off: number): number {
    return this.regs.read32(off);
  }

  write(off: number, v: number): void {
    this.regs.write32(off, v);
  }

  set(off: number, bits: number): void {
    this.write(off, this.read(off) | bits);
  }

  /** Link up at the MAC (the sink provides carrier). */
  linkUp(): void {
    this.set(E1000_CTRL, CTRL_SLU);
    this.read(E1000_ICR); // forget the LSC it raised
  }

  /**
   * A receive ring of `n` descriptors with `bufSize`-byte buffers, all handed to the device (RDT = n-1),
   * receiver enabled (EN | BAM | SECRC unless `rctl` is given).
   */
  setupRx(n = 8, rctl = RCTL_EN | RCTL_BAM | RCTL_SECRC, bufSize = 2048, give = n - 1): void {
    const dma = this.host.dma;
    const ring = dma.alloc(n * DESC_SIZE, 'rx ring');
    const bufs = dma.alloc(n * bufSize, 'rx bufs');
    for (let i = 0; i < n; i++) ring.view.setBigUint64(i * DESC_SIZE, BigInt(bufs.busAddr + i * bufSize), true);
    this.rx = { ring, bufs, n, bufSize };
    this.write(E1000_RDBAL, ring.busAddr % SEG);
    this.write(E1000_RDBAH, Math.floor(ring.busAddr / SEG));
    this.write(E1000_RDLEN, n * DESC_SIZE);
    this.write(E1000_RDH, 0);
    this.write(E1000_RDT, give);
    this.write(E1000_RCTL, rctl);
  }

  rxStatus(i: number): number {
    return this.rx!.ring.u8[i * DESC_SIZE + RXD_STATUS];
  }
  rxErrors(i: number): number {
    return this.rx!.ring.u8[i * DESC_SIZE + RXD_ERRORS];
  }
  rxLength(i: number): number {
    return this.rx!.ring.view.getUint16(i * DESC_SIZE + RXD_LENGTH, true);
  }
  rxData(i: number, len = this.rxLength(i)): number[] {
    const { bufs, bufSize } = this.rx!;
    return Array.from(bufs.u8.subarray(i * bufSize, i * bufSize + len));
  }

  /** A transmit ring of `n` descriptors with 2 KB buffers, transmitter enabled with PSP. */
  setupTx(n = 8, tctl = TCTL_EN | TCTL_PSP): void {
    const dma = this.host.dma;
    const ring = dma.alloc(n * DESC_SIZE, 'tx ring');
    const bufs = dma.alloc(n * 2048, 'tx bufs');
    this.tx = { ring, bufs, n };
    this.write(E1000_TDBAL, ring.busAddr % SEG);
    this.write(E1000_TDBAH, Math.floor(ring.busAddr / SEG));
    this.write(E1000_TDLEN, n * DESC_SIZE);
    this.write(E1000_TDH, 0);
    this.write(E1000_TDT, 0);
    this.write(E1000_TCTL, tctl);
  }

  /** Fills transmit descriptor `i` with `bytes` (copied into its buffer) and command `cmd`. */
  txDesc(i: number, bytes: Uint8Array, cmd: number): void {
    const { ring, bufs } = this.tx!;
    bufs.u8.set(bytes, i * 2048);
    ring.view.setBigUint64(i * DESC_SIZE, BigInt(bufs.busAddr + i * 2048), true);
    ring.view.setUint16(i * DESC_SIZE + TXD_LENGTH, bytes.length, true);
    ring.u8[i * DESC_SIZE + TXD_CMD] = cmd;
    ring.u8[i * DESC_SIZE + TXD_STATUS] = 0;
  }

  txStatus(i: number): number {
    return this.tx!.ring.u8[i * DESC_SIZE + TXD_STATUS];
  }

  /** The device's RDH / RDT / TDH / TDT. */
  heads(): { rdh: number; rdt: number; tdh: number; tdt: number } {
    return {
      rdh: this.read(E1000_RDH),
      rdt: this.read(E1000_RDT),
      tdh: this.read(E1000_TDH),
      tdt: this.read(E1000_TDT),
    };
  }

  /** Sends a frame to the device now. */
  inject(frame: Uint8Array): void {
    this.sink.send(frame);
  }

  run(until: number): void {
    this.sim.runUntil(until);
  }
}

/** An Ethernet frame `dst | src | 0x88B5 | payload` of `len` bytes (payload bytes count up from `tag`). */
export function ethFrame(dst: Uint8Array, len = 60, tag = 0, src: Uint8Array = PEER, type = 0x88b5): Uint8Array {
  const f = new Uint8Array(Math.max(len, 14));
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >>> 8;
  f[13] = type & 0xff;
  for (let i = 14; i < len; i++) f[i] = (tag + i) & 0xff;
  return f.subarray(0, len);
}
