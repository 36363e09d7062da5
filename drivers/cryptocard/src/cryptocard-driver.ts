import {
  type AttachArgs,
  type BusSpace,
  type DeviceDriver,
  type DeviceIdent,
  type DmaRegion,
  type DriverDescriptor,
  HOST,
  type Host,
  IPL_NET,
  type InterruptSource,
  type Platform,
  copyBytes,
  copyBytesWithViews,
  inject,
  injectable,
} from '@ifnet/core';
import {
  CRYPTO_ACCEPTED,
  CRYPTO_AES_GCM_16,
  CRYPTO_EBADMSG,
  CRYPTO_EINVAL,
  CRYPTO_EIO,
  CRYPTO_ERESTART,
  CRYPTO_OK,
  CRYPTO_MAX_AAD,
  CRYPTO_OP_ENCRYPT,
  type CryptoAlgorithm,
  type CryptoDriver,
  type CryptoFramework,
  type CryptoRequest,
  GCM_NONCE_LEN,
  GCM_TAG_LEN,
  cryptoFramework,
} from '@ifnet/crypto';
import {
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
  DONE_ST_OK,
  ISR_DONE,
} from './regs.js';

/** Largest request the driver's per-slot DMA buffers take (an ESP packet in a 9000-byte jumbo frame fits). */
export const CC_MAX_REQUEST = 9216;
const SLOT_KEY = 0;
const SLOT_NONCE = 32;
const SLOT_AAD = 48;
const SLOT_DATA = 80;
const SLOT_SIZE = SLOT_DATA + CC_MAX_REQUEST + GCM_TAG_LEN;

export interface CryptoCardDriverStats {
  /** Requests written to the card. */
  submitted: number;
  /** Requests refused with ERESTART because all queue slots were busy. */
  queueFull: number;
  /** Requests too long for a slot (completed with EINVAL, never sent). */
  tooLong: number;
  /** Completion entries that did not match an outstanding slot (never trusted). */
  badCompletions: number;
  /** Interrupts taken with DONE set. */
  interrupts: number;
}

/**
 * The card's driver (`ubsec(4)`'s role): a {@link CryptoDriver} for the framework, reaching the card only
 * through its register window, DMA memory and interrupt line.
 *
 * Slots: the card consumes commands in order, so command `n` lives in ring entry and DMA slot `n % depth`.
 * `process` copies the request's key, nonce, AAD and data into the slot's DMA buffer (the bounce a
 * `bus_dmamap_load` of a non-contiguous chain would need), writes the descriptor and rings the doorbell;
 * a full queue returns `ERESTART` and the framework parks the request. The interrupt routine walks the
 * completion ring, checks each entry against the slot it should be (never trusting the card), copies the
 * result back, hands the request to `crypto_done` (which schedules its continuation) and unblocks the
 * framework. It allocates nothing.
 */
@injectable()
export class CryptoCardDriver implements DeviceDriver, CryptoDriver {
  readonly name = 'cc';
  readonly hardware = true;
  readonly stats: CryptoCardDriverStats = { submitted: 0, queueFull: 0, tooLong: 0, badCompletions: 0, interrupts: 0 };
  depth = 0;
  private regs!: BusSpace;
  private line!: InterruptSource;
  private fw!: CryptoFramework;
  private cmdRing!: DmaRegion;
  private doneRing!: DmaRegion;
  private slotMem!: DmaRegion;
  /** A DataView over the whole arena behind {@link slotMem}, for allocation-free word copies. */
  private slotView!: DataView;
  private slots: (CryptoRequest<any> | null)[] = [];
  /** Commands written (mod 2^16). */
  private prod = 0;
  /** Completions consumed (mod 2^16). */
  private doneCons = 0;
  private blocked = false;

  constructor(@inject(HOST) readonly host: Host) {}

  attach(aa: AttachArgs): void {
    if (aa.bars.length < 1 || aa.irqs.length < 1) throw new Error(`cc at ${aa.locator}: no registers or no interrupt`);
    this.regs = aa.bars[0];
    this.line = aa.irqs[0];
    const r = this.regs;
    r.write32(CC_CTRL, CTRL_RESET);
    const depth = r.read32(CC_QDEPTH);
    // Never trust the device: an absurd depth would make us allocate without bound.
    if (depth < 1 || depth > 1024 || (depth & (depth - 1)) !== 0)
      throw new Error(`cc at ${aa.locator}: bad depth ${depth}`);
    this.depth = depth;
    this.cmdRing = aa.dma.alloc(depth * CMD_SIZE, `cc cmd ring`);
    this.doneRing = aa.dma.alloc(depth * DONE_SIZE, `cc done ring`);
    this.slotMem = aa.dma.alloc(depth * SLOT_SIZE, `cc slots`);
    this.slotView = new DataView(this.slotMem.u8.buffer);
    this.slots = new Array(depth).fill(null);
    r.write32(CC_CMD_LO, this.cmdRing.busAddr % 0x1_0000_0000);
    r.write32(CC_CMD_HI, Math.floor(this.cmdRing.busAddr / 0x1_0000_0000));
    r.write32(CC_DONE_LO, this.doneRing.busAddr % 0x1_0000_0000);
    r.write32(CC_DONE_HI, Math.floor(this.doneRing.busAddr / 0x1_0000_0000));
    this.host.cpu.intr.establish(this.line, IPL_NET, ccIntr, this as CryptoCardDriver, `cc ${aa.locator}`);
    r.write32(CC_IMR, ISR_DONE);
    r.write32(CC_CTRL, CTRL_ENABLE);
    this.fw = cryptoFramework(this.host);
    this.fw.register(this);
  }

  detach(): void {
    this.regs.write32(CC_IMR, 0);
    this.regs.write32(CC_CTRL, CTRL_RESET);
    this.host.cpu.intr.disestablish(this.line);
    this.fw.unregister(this);
    // Requests the card had: complete them with EIO so their owners get their buffers back.
    for (let i = 0; i < this.depth; i++) {
      const crp = this.slots[i];
      if (crp === null) continue;
      this.slots[i] = null;
      crp.etype = CRYPTO_EIO;
      this.fw.done(crp);
    }
  }

  /** Requests on the card. */
  get outstanding(): number {
    return (this.prod - this.doneCons) & 0xffff;
  }

  supports(alg: CryptoAlgorithm, keyLen: number): boolean {
    return alg === CRYPTO_AES_GCM_16 && (keyLen === 16 || keyLen === 32);
  }

  process(crp: CryptoRequest<any>): number {
    const s = crp.session;
    if (
      s === null ||
      crp.len > CC_MAX_REQUEST ||
      crp.len < 0 ||
      crp.aadLen > CRYPTO_MAX_AAD ||
      crp.off + crp.len + GCM_TAG_LEN > crp.buf.length
    ) {
      this.stats.tooLong++;
      crp.etype = CRYPTO_EINVAL;
      this.fw.done(crp);
      return CRYPTO_ACCEPTED;
    }
    if (this.outstanding >= this.depth) {
      this.stats.queueFull++;
      this.blocked = true;
      return CRYPTO_ERESTART;
    }
    const i = this.prod % this.depth;
    const mem = this.slotMem;
    const base = i * SLOT_SIZE;
    const u8 = mem.u8;
    copyBytes(u8, base + SLOT_KEY, s.key, 0, s.key.length);
    copyBytes(u8, base + SLOT_NONCE, crp.nonce, 0, GCM_NONCE_LEN);
    copyBytes(u8, base + SLOT_AAD, crp.aad, 0, crp.aadLen);
    const encrypt = crp.op === CRYPTO_OP_ENCRYPT;
    // The payload through per-buffer DataViews (the request's and the arena's): copyBytes' small shared
    // view cache would miss with many requests' buffers in turn and create a DataView per copy.
    const n = encrypt ? crp.len : crp.len + GCM_TAG_LEN;
    copyBytesWithViews(u8, base + SLOT_DATA, this.slotView, crp.buf, crp.off, crp.bufferView, n);
    const v = this.cmdRing.view;
    const d = i * CMD_SIZE;
    const bus = mem.busAddr + base;
    v.setUint8(d + CMD_OP, encrypt ? CMD_OP_ENCRYPT : CMD_OP_DECRYPT);
    v.setUint8(d + CMD_KEYLEN, s.key.length);
    v.setUint8(d + CMD_AADLEN, crp.aadLen);
    v.setUint32(d + CMD_COOKIE, i, true);
    setAddr(v, d + CMD_KEY, bus + SLOT_KEY);
    setAddr(v, d + CMD_NONCE, bus + SLOT_NONCE);
    setAddr(v, d + CMD_AAD, bus + SLOT_AAD);
    setAddr(v, d + CMD_BUF, bus + SLOT_DATA);
    v.setUint32(d + CMD_LEN, crp.len, true);
    this.slots[i] = crp;
    this.prod = (this.prod + 1) & 0xffff;
    this.stats.submitted++;
    this.regs.write32(CC_DOORBELL, this.prod);
    return CRYPTO_ACCEPTED;
  }

  /** Interrupt routine body: drain the completion ring. Allocation-free. */
  intr(): boolean {
    const isr = this.regs.read32(CC_ISR);
    if ((isr & ISR_DONE) === 0) return isr !== 0;
    this.stats.interrupts++;
    const prod = this.regs.read32(CC_DONE_PROD) & 0xffff;
    const v = this.doneRing.view;
    const u8 = this.slotMem.u8;
    // The card can have produced at most what we submitted: clamp anything beyond.
    let n = (prod - this.doneCons) & 0xffff;
    if (n > this.outstanding) {
      this.stats.badCompletions++;
      n = this.outstanding;
    }
    for (; n > 0; n--) {
      const i = this.doneCons % this.depth;
      const e = i * DONE_SIZE;
      const cookie = v.getUint32(e + DONE_COOKIE, true);
      const status = v.getUint16(e + DONE_STATUS, true);
      const crp = this.slots[i];
      this.doneCons = (this.doneCons + 1) & 0xffff;
      if (crp === null) {
        this.stats.badCompletions++;
        continue;
      }
      this.slots[i] = null;
      if (cookie !== i) {
        this.stats.badCompletions++;
        crp.etype = CRYPTO_EIO;
      } else if (status === DONE_ST_OK) {
        const encrypt = crp.op === CRYPTO_OP_ENCRYPT;
        const n = encrypt ? crp.len + GCM_TAG_LEN : crp.len;
        copyBytesWithViews(crp.buf, crp.off, crp.bufferView, u8, i * SLOT_SIZE + SLOT_DATA, this.slotView, n);
        crp.etype = CRYPTO_OK;
      } else crp.etype = status === DONE_ST_AUTH ? CRYPTO_EBADMSG : CRYPTO_EIO;
      this.fw.done(crp);
    }
    if (this.blocked && this.outstanding < this.depth) {
      this.blocked = false;
      this.fw.unblock(this);
    }
    return true;
  }
}

function setAddr(v: DataView, off: number, addr: number): void {
  const hi = Math.floor(addr / 0x1_0000_0000);
  v.setUint32(off, addr - hi * 0x1_0000_0000, true);
  v.setUint32(off + 4, hi, true);
}

function ccIntr(sc: CryptoCardDriver): boolean {
  return sc.intr();
}

export function ccMatch(ident: DeviceIdent): number {
  return ident.vendor === CC_VENDOR && ident.device === CC_DEVICE ? 1 : 0;
}

/** The driver as autoconfiguration sees it. */
export const cryptoCardDriver: DriverDescriptor = { name: 'cc', match: ccMatch, driver: CryptoCardDriver };

/** Registers the `cc` driver on a platform. */
export function registerCryptoCard(platform: Platform): Platform {
  platform.registerDriver(cryptoCardDriver);
  return platform;
}
