import type {
  DeviceBusContext,
  DeviceIdent,
  DeviceModel,
  DeviceRegisters,
  DmaAccess,
  HardwareTimer,
  InterruptLine,
  Clock,
} from '@ifnet/core';
import { CRYPTO_EBADMSG, CRYPTO_OK, GCM_NONCE_LEN, GCM_TAG_LEN, aesGcmInPlace } from '@ifnet/crypto';
import {
  CC_BAR_SIZE,
  CC_CMD_CONS,
  CC_CMD_HI,
  CC_CMD_LO,
  CC_CTRL,
  CC_DEVICE,
  CC_DONE_HI,
  CC_DONE_LO,
  CC_DONE_PROD,
  CC_DOORBELL,
  CC_IMR,
  CC_ISR,
  CC_QDEPTH,
  CC_REGISTER_NAMES,
  CC_STAT_BADDESC,
  CC_STAT_OPS,
  CC_STAT_OVERRUN,
  CC_VENDOR,
  CMD_AAD,
  CMD_AADLEN,
  CMD_BUF,
  CMD_COOKIE,
  CMD_KEY,
  CMD_KEYLEN,
  CMD_LEN,
  CMD_NONCE,
  CMD_OP,
  CMD_OP_DECRYPT,
  CMD_OP_ENCRYPT,
  CMD_SIZE,
  CTRL_ENABLE,
  CTRL_RESET,
  DONE_COOKIE,
  DONE_SIZE,
  DONE_STATUS,
  DONE_ST_AUTH,
  DONE_ST_BADDESC,
  DONE_ST_OK,
  ISR_DONE,
  ISR_OVERRUN,
} from './regs.js';

export interface CryptoCardOptions {
  /** Work queue depth (command and completion ring entries). Default 4, the bcm5823's. */
  queueDepth?: number;
  /** Engine throughput in bytes per second of data + AAD. Default 100 MB/s (a 2003 bcm5823 is slower). */
  bytesPerSecond?: number;
  /** Fixed per-command time (descriptor fetch, key schedule) in ns. Default 2000. */
  setupNs?: number;
  /** Largest data length per command. Default 65535. */
  maxLength?: number;
}

export interface CryptoCardStats {
  ops: number;
  overruns: number;
  badDescriptors: number;
  authFailures: number;
}

/**
 * The crypto card as hardware. The driver writes command descriptors into a ring in host memory and rings
 * the doorbell with its producer count; the card fetches one command at a time by DMA, spends
 * `setupNs + (len + aadLen) / bytesPerSecond` on it, reads key, nonce, AAD and data by DMA, runs AES-GCM
 * (really, with `@noble/ciphers`), writes the data (and tag) back in place, appends a completion entry
 * and raises `ISR_DONE`. At most `queueDepth` commands may be outstanding: a doorbell beyond that is an
 * overrun (counted, the excess ignored) — queue-full is the driver's problem, as on the bcm5823.
 */
export class CryptoCardDevice implements DeviceModel, DeviceRegisters {
  readonly model = 'ifnet crypto card (bcm5823-like)';
  readonly ident: DeviceIdent = { vendor: CC_VENDOR, device: CC_DEVICE, deviceClass: 'crypto' };
  readonly bars: readonly DeviceRegisters[] = [this];
  readonly registerNames = [CC_REGISTER_NAMES];
  readonly interruptVectors = 1;
  readonly size = CC_BAR_SIZE;
  readonly queueDepth: number;
  readonly bytesPerSecond: number;
  readonly setupNs: number;
  readonly maxLength: number;
  readonly stats: CryptoCardStats = { ops: 0, overruns: 0, badDescriptors: 0, authFailures: 0 };

  private clock!: Clock;
  private dma!: DmaAccess;
  private irq!: InterruptLine;
  private timer!: HardwareTimer;
  private ctrl = 0;
  private isr = 0;
  private imr = 0;
  private cmdBase = 0;
  private doneBase = 0;
  /** Producer count the driver rang (mod 2^16). */
  private prod = 0;
  /** Commands finished (mod 2^16). */
  private cons = 0;
  private doneProd = 0;
  private busy = false;
  // The engine's own SRAM: one buffer (allocated once), carved into key, nonce, AAD and data.
  private readonly sram: Uint8Array;
  private readonly key32: Uint8Array;
  private readonly key16: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly aadBuf: Uint8Array;
  private readonly data: Uint8Array;

  constructor(options: CryptoCardOptions = {}) {
    this.queueDepth = options.queueDepth ?? 4;
    this.bytesPerSecond = options.bytesPerSecond ?? 100e6;
    this.setupNs = options.setupNs ?? 2000;
    this.maxLength = options.maxLength ?? 65535;
    if (
      !Number.isInteger(this.queueDepth) ||
      this.queueDepth < 1 ||
      this.queueDepth > 1024 ||
      (this.queueDepth & (this.queueDepth - 1)) !== 0
    ) {
      throw new RangeError(`crypto card: bad queue depth ${this.queueDepth} (a power of two, 1..1024)`);
    }
    this.sram = new Uint8Array(128 + this.maxLength + GCM_TAG_LEN);
    this.key32 = this.sram.subarray(0, 32);
    this.key16 = this.sram.subarray(32, 48);
    this.nonce = this.sram.subarray(48, 48 + GCM_NONCE_LEN);
    this.aadBuf = this.sram.subarray(64, 96);
    this.data = this.sram.subarray(128);
  }

  connect(ctx: DeviceBusContext): void {
    this.clock = ctx.clock;
    this.dma = ctx.dma;
    this.irq = ctx.irqs[0];
    this.timer = ctx.clock.createTimer('cryptocard', () => this.finish());
  }

  /** Commands accepted and not yet finished. */
  get outstanding(): number {
    return (this.prod - this.cons) & 0xffff;
  }

  read8(offset: number): number {
    return (this.read32(offset & ~3) >>> ((offset & 3) * 8)) & 0xff;
  }
  read16(offset: number): number {
    return (this.read32(offset & ~3) >>> ((offset & 2) * 8)) & 0xffff;
  }
  write8(offset: number, value: number): void {
    this.write32(offset, value & 0xff);
  }
  write16(offset: number, value: number): void {
    this.write32(offset, value & 0xffff);
  }

  read32(offset: number): number {
    switch (offset) {
      case CC_CTRL:
        return this.ctrl;
      case CC_ISR: {
        const v = this.isr;
        this.isr = 0;
        this.updateIrq();
        return v;
      }
      case CC_IMR:
        return this.imr;
      case CC_QDEPTH:
        return this.queueDepth;
      case CC_CMD_LO:
        return this.cmdBase % 0x1_0000_0000;
      case CC_CMD_HI:
        return Math.floor(this.cmdBase / 0x1_0000_0000);
      case CC_DOORBELL:
        return this.prod;
      case CC_CMD_CONS:
        return this.cons;
      case CC_DONE_LO:
        return this.doneBase % 0x1_0000_0000;
      case CC_DONE_HI:
        return Math.floor(this.doneBase / 0x1_0000_0000);
      case CC_DONE_PROD:
        return this.doneProd;
      case CC_STAT_OPS:
        return this.stats.ops >>> 0;
      case CC_STAT_OVERRUN:
        return this.stats.overruns >>> 0;
      case CC_STAT_BADDESC:
        return this.stats.badDescriptors >>> 0;
      default:
        return offset < CC_BAR_SIZE ? 0 : 0xffffffff;
    }
  }

  write32(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case CC_CTRL:
        if (value & CTRL_RESET) this.reset();
        else {
          this.ctrl = value & CTRL_ENABLE;
          this.kick();
        }
        return;
      case CC_IMR:
        this.imr = value & (ISR_DONE | ISR_OVERRUN);
        this.updateIrq();
        return;
      case CC_CMD_LO:
        this.cmdBase = Math.floor(this.cmdBase / 0x1_0000_0000) * 0x1_0000_0000 + value;
        return;
      case CC_CMD_HI:
        this.cmdBase = value * 0x1_0000_0000 + (this.cmdBase % 0x1_0000_0000);
        return;
      case CC_DONE_LO:
        this.doneBase = Math.floor(this.doneBase / 0x1_0000_0000) * 0x1_0000_0000 + value;
        return;
      case CC_DONE_HI:
        this.doneBase = value * 0x1_0000_0000 + (this.doneBase % 0x1_0000_0000);
        return;
      case CC_DOORBELL: {
        const want = value & 0xffff;
        if (((want - this.cons) & 0xffff) > this.queueDepth) {
          // More than the queue holds: accept up to full, flag the overrun.
          this.stats.overruns++;
          this.prod = (this.cons + this.queueDepth) & 0xffff;
          this.isr |= ISR_OVERRUN;
          this.updateIrq();
        } else this.prod = want;
        this.kick();
        return;
      }
      default:
        return;
    }
  }

  private reset(): void {
    this.timer.cancel();
    this.ctrl = 0;
    this.isr = 0;
    this.imr = 0;
    this.prod = 0;
    this.cons = 0;
    this.doneProd = 0;
    this.busy = false;
    this.updateIrq();
  }

  private updateIrq(): void {
    if ((this.isr & this.imr) !== 0) this.irq.assert();
    else this.irq.deassert();
  }

  private cmdAddr(): number {
    return this.cmdBase + (this.cons % this.queueDepth) * CMD_SIZE;
  }

  /** Starts the next command if the engine is idle, enabled and has work. */
  private kick(): void {
    if (this.busy || (this.ctrl & CTRL_ENABLE) === 0 || this.outstanding === 0) return;
    const d = this.cmdAddr();
    const len = this.dma.read32(d + CMD_LEN);
    const aadLen = this.dma.read8(d + CMD_AADLEN);
    const bytes = Math.min(len, this.maxLength) + aadLen;
    this.busy = true;
    this.timer.armAfter(this.setupNs + Math.round((bytes * 1e9) / this.bytesPerSecond));
  }

  /** The current command's time is up: perform it, post its completion, start the next. */
  private finish(): void {
    if (!this.busy) return;
    this.busy = false;
    const d = this.cmdAddr();
    const cookie = this.dma.read32(d + CMD_COOKIE);
    const status = this.execute(d);
    const e = this.doneBase + (this.doneProd % this.queueDepth) * DONE_SIZE;
    this.dma.write32(e + DONE_COOKIE, cookie);
    this.dma.write16(e + DONE_STATUS, status);
    this.dma.write16(e + DONE_STATUS + 2, 0);
    this.doneProd = (this.doneProd + 1) & 0xffff;
    this.cons = (this.cons + 1) & 0xffff;
    this.stats.ops++;
    this.isr |= ISR_DONE;
    this.updateIrq();
    this.kick();
  }

  private execute(d: number): number {
    const dma = this.dma;
    const op = dma.read8(d + CMD_OP);
    const keyLen = dma.read8(d + CMD_KEYLEN);
    const aadLen = dma.read8(d + CMD_AADLEN);
    const len = dma.read32(d + CMD_LEN);
    const bufAddr = dma.read64(d + CMD_BUF);
    const key = keyLen === 16 ? this.key16 : this.key32;
    if (
      (op !== CMD_OP_ENCRYPT && op !== CMD_OP_DECRYPT) ||
      (keyLen !== 16 && keyLen !== 32) ||
      aadLen > this.aadBuf.length ||
      len > this.maxLength ||
      !dma.copyFromBus(dma.read64(d + CMD_KEY), key, 0, keyLen) ||
      !dma.copyFromBus(dma.read64(d + CMD_NONCE), this.nonce, 0, GCM_NONCE_LEN) ||
      (aadLen > 0 && !dma.copyFromBus(dma.read64(d + CMD_AAD), this.aadBuf, 0, aadLen)) ||
      !dma.copyFromBus(bufAddr, this.data, 0, len + GCM_TAG_LEN)
    ) {
      this.stats.badDescriptors++;
      return DONE_ST_BADDESC;
    }
    const r = aesGcmInPlace(op === CMD_OP_ENCRYPT, key, this.nonce, this.aadBuf.subarray(0, aadLen), this.data, 0, len);
    if (r === CRYPTO_EBADMSG) {
      this.stats.authFailures++;
      return DONE_ST_AUTH;
    }
    if (r !== CRYPTO_OK) return DONE_ST_BADDESC;
    dma.copyToBus(bufAddr, this.data, 0, op === CMD_OP_ENCRYPT ? len + GCM_TAG_LEN : len);
    return DONE_ST_OK;
  }
}
