/**
 * The e1000 model's receive unit: size checks, the address filter, checksum offload, and the store of a
 * frame into the receive ring by DMA.
 *
 * Register state arrives decoded when it is written (RCTL, RXCSUM, RDBAL/RDBAH, RDLEN, RDH/RDT), so a
 * frame costs no register decoding: the buffer size is a shift, the ring size a field, the free count one
 * comparison, and the ring's DMA map is loaded once per ring programming.
 *
 * The device owns descriptors RDH..RDT-1. When there are not enough of them (RDH == RDT: none), the frame
 * is **missed**: dropped here, in the device, with RXO raised and MPC (and RNBC) counted. Frames longer
 * than one buffer *span descriptors*: each gets a buffer's worth, EOP only on the last; a frame is written
 * only when all the descriptors it needs are free (no partial frames).
 *
 * @module
 */
import type { DmaAccess, DmaMap } from '@ifnet/core';
import {
  DESC_SIZE,
  E1000_MTA,
  E1000_RA_COUNT,
  E1000_RAH,
  E1000_RAL,
  ICR_RXDMT0,
  ICR_RXO,
  RAH_AV,
  RCTL_BAM,
  RCTL_EN,
  RCTL_LPE,
  RCTL_MO_SHIFT,
  RCTL_MPE,
  RCTL_RDMTS_SHIFT,
  RCTL_SBP,
  RCTL_SECRC,
  RCTL_UPE,
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  RXD_ERR_RXE,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  mtaHash,
  rctlBufferSize,
} from '../regs.js';
import { crc32 } from './crc32.js';
import { DescriptorRing } from './descriptor-ring.js';
import type { E1000Interrupts } from './interrupts.js';
import { RxFrameChecksum, frameWords } from './rx-checksum.js';
import type { E1000DeviceStats, E1000StatRegs } from './statistics.js';

/** Largest receive frame with LPE (bytes, with FCS). */
export const MAX_FRAME = 16384;
/** Register index (offset / 4). */
const R = (off: number) => off >>> 2;
// The register bits used per frame, as this module's own constants (README: imported ones cost a load).
const DESC = DESC_SIZE;
const STATUS_LAST = RXD_STAT_DD | RXD_STAT_EOP;
const STATUS_MORE = RXD_STAT_DD;
const ERR_RXE = RXD_ERR_RXE;
const UPE = RCTL_UPE;

export class E1000Receiver {
  /** Set while the bus is connected and the MAC link is up. */
  linkUp = false;
  /** The descriptor ring (base, length, DMA map). */
  readonly ring = new DescriptorRing('e1000 rx ring');
  dma: DmaAccess | null = null;
  rdh = 0;
  rdt = 0;
  private bufMap: DmaMap | null = null;

  // Decoded RCTL.
  private enabled = false;
  private sbp = false;
  private strip = false;
  private lpe = false;
  private rctl = 0;
  private bufSize = 2048;
  private bufShift = 11;
  private rdmtsShift = 1;
  /** RXCSUM has both offloads off: every frame, IPv4 or not, gets IXSM. */
  private ixsm = false;
  /**
   * The checksum offload, with the array frames last arrived in (`f`), its offset in its buffer (`base`),
   * a DataView (`v`) and the aligned 32-bit words of that whole buffer, and RXCSUM, as fields: a frame's
   * call passes its offset and length only. `receive` reads the destination and ethertype through the same
   * view: a wire hands the same array again and again, and one identity check per frame replaces the
   * `buffer`/`byteOffset` getters (calls V8 does not inline, 10–20 ns each).
   */
  private readonly csum = new RxFrameChecksum();
  /**
   * The valid receive addresses (RAL/RAH entries with AV), compacted in table order when one is written:
   * the exact-match filter compares a frame's destination with these small integers only, instead of
   * scanning all 16 register pairs (unsigned 32-bit values) per frame.
   */
  private readonly raLo = new Int32Array(E1000_RA_COUNT);
  private readonly raHi = new Int32Array(E1000_RA_COUNT);
  private raCount = 0;
  /** Staging buffer for a received frame with its FCS appended (RCTL.SECRC clear). */
  private readonly rxbuf = new Uint8Array(MAX_FRAME + 4);

  constructor(
    private readonly stats: E1000DeviceStats,
    private readonly regs: E1000StatRegs,
    private readonly irq: E1000Interrupts,
    /** The register file (RAL/RAH and MTA are read by the filter). */
    private readonly r: Uint32Array,
  ) {}

  reset(rxcsum: number): void {
    this.ring.reset();
    this.rdh = this.rdt = 0;
    this.setRctl(0);
    this.setRxcsum(rxcsum);
    this.setReceiveAddresses();
  }

  /** RAL/RAH written (or reset): the valid entries of the receive address table, for the filter. */
  setReceiveAddresses(): void {
    const r = this.r;
    let n = 0;
    for (let i = 0; i < E1000_RA_COUNT; i++) {
      const rah = r[R(E1000_RAH(i))];
      if ((rah & RAH_AV) === 0) continue;
      this.raLo[n] = r[R(E1000_RAL(i))] | 0;
      this.raHi[n] = rah & 0xffff;
      n++;
    }
    this.raCount = n;
  }

  /** RCTL written. */
  setRctl(v: number): void {
    this.rctl = v;
    this.enabled = (v & RCTL_EN) !== 0;
    this.sbp = (v & RCTL_SBP) !== 0;
    this.strip = (v & RCTL_SECRC) !== 0;
    this.lpe = (v & RCTL_LPE) !== 0;
    this.bufSize = rctlBufferSize(v);
    this.bufShift = 31 - Math.clz32(this.bufSize);
    this.rdmtsShift = ((v >>> RCTL_RDMTS_SHIFT) & 3) + 1;
  }

  setRxcsum(v: number): void {
    this.csum.rxcsum = v;
    this.ixsm = (v & (RXCSUM_IPOFL | RXCSUM_TUOFL)) === 0;
  }

  /** The bus: maps for the ring and for one buffer at a time (created once, as `bus_dmamap_create`). */
  connect(dma: DmaAccess): void {
    this.dma = dma;
    this.ring.connect(dma);
    this.bufMap = dma.createMap('e1000 rx buffer', MAX_FRAME + 4);
  }

  /** RDBAL/RDBAH written (the register file holds both halves). */
  setBase(lo: number, hi: number): void {
    this.ring.setBase(lo, hi);
  }

  /** RDLEN written: the ring's length in descriptors. */
  setRingSize(n: number): void {
    this.ring.setSize(n);
  }

  /** A frame arrives from the medium (no FCS). `frame[off, off+len)` is valid only during the call. */
  receive(frame: Uint8Array, off: number, len: number): void {
    const st = this.stats;
    const regs = this.regs;
    st.rxFrames++;
    regs.tpr++;
    // Boolean fields are tested with `===`: a bare test of an untyped field is V8's ~10-instruction ToBoolean.
    if (this.dma === null || this.linkUp !== true) {
      st.rxNoLink++;
      return;
    }
    if (this.enabled !== true) {
      st.rxDisabled++;
      return;
    }
    // Sizes with FCS, as the MAC counts them.
    const wireLen = len + 4;
    if (len < 14 || (wireLen < 64 && this.sbp !== true)) {
      st.rxUndersize++;
      regs.ruc++;
      return;
    }
    const c = this.csum;
    if (frame !== c.f) this.newFrameArray(frame);
    const view = c.v;
    const dst = c.base + off;
    // The ethertype, read once (big-endian) for the VLAN size limit and the checksum offload's IPv4 test.
    const type = view.getUint16(dst + 12);
    if (wireLen > (this.lpe === true ? MAX_FRAME : type === 0x8100 ? 1522 : 1518)) {
      st.rxOversize++;
      regs.roc++;
      return;
    }
    // The destination as RAL/RAH hold an address: bytes 0..3 as a little-endian word, 4..5 as a half-word.
    const dstLo = view.getInt32(dst, true);
    const dstHi = view.getUint16(dst + 4, true);
    const group = (dstLo & 1) !== 0;
    const bcast = dstLo === -1 && dstHi === 0xffff;
    // The receive address filter: a group destination in acceptGroup (out of line), a unicast one here —
    // UPE, then the exact match — where it costs none of V8's inlining budget for this method.
    if (
      group
        ? !this.acceptGroup(frame, off, bcast, dstLo, dstHi)
        : (this.rctl & UPE) === 0 && !this.exactMatch(dstLo, dstHi)
    ) {
      st.rxFiltered++;
      return;
    }

    const n = this.ring.size;
    const rdh = this.rdh;
    const rdt = this.rdt;
    const strip = this.strip === true;
    const storeLen = strip ? len : wireLen;
    const need = (storeLen + this.bufSize - 1) >>> this.bufShift;
    const avail = this.ring.ok !== true || rdh >= n || rdt >= n ? 0 : rdt >= rdh ? rdt - rdh : rdt - rdh + n;
    if (avail < need) {
      st.rxMissed++;
      regs.mpc++;
      regs.rnbc++;
      this.irq.setCause(ICR_RXO);
      return;
    }
    // Only IPv4 frames get checksum indications, or all frames IXSM: the rest, the sink path's frames,
    // are decided here without the call (rxChecksumBits would return 0 for them).
    let csum = 0;
    if (type === 0x0800 || this.ixsm === true) {
      csum = c.bits(off, len);
      if (csum >>> 8 !== 0) st.rxCsumErrors++;
    }
    // A frame in one buffer without its FCS (RCTL.SECRC, as drivers set it) is one descriptor, written here
    // (small enough for V8 to inline into this method with the DMA map's store); any other in storeFrame.
    const errors =
      need === 1 && strip
        ? this.storeNext(frame, off, len, STATUS_LAST | (csum & 0xff), csum >>> 8)
        : this.storeFrame(frame, off, len, need, csum);
    if (errors !== 0) st.rxDmaErrors += errors;

    st.rxDelivered++;
    regs.gprc++;
    regs.gorc += wireLen;
    regs.tor += wireLen;
    if (bcast) regs.bprc++;
    else if (group) regs.mprc++;
    // RXDMT0 when the free descriptors fall to the threshold (1/2, 1/4, 1/8 of the ring).
    const threshold = n >>> this.rdmtsShift;
    if (avail > threshold && avail - need <= threshold) this.irq.setCause(ICR_RXDMT0);
    this.irq.rxKick();
  }

  /** Frames now come in another array: one view per source buffer (a different wire), kept across arrays. */
  private newFrameArray(frame: Uint8Array): void {
    const buffer = frame.buffer;
    const c = this.csum;
    if (buffer !== c.v.buffer) {
      c.v = new DataView(buffer);
      c.w = frameWords(buffer);
    }
    c.f = frame;
    c.base = frame.byteOffset;
  }

  /**
   * Stores one frame, `frame[off, off+len)`, into the receive ring from RDH on — a buffer's worth per
   * descriptor, EOP (and the checksum indications `csum`) on the last — with its FCS appended unless
   * RCTL.SECRC (staged in {@link rxbuf} as the MAC received it). Returns the number of descriptors whose
   * buffer could not be written (see {@link storeNext}). `receive` writes the common frame, one
   * descriptor without FCS, itself.
   */
  private storeFrame(frame: Uint8Array, off: number, len: number, need: number, csum: number): number {
    let src = frame;
    let base = off;
    let total = len;
    if (!this.strip) {
      const b = this.rxbuf;
      for (let i = 0; i < len; i++) b[i] = frame[off + i];
      const fcs = crc32(b, 0, len);
      b[len] = fcs & 0xff;
      b[len + 1] = (fcs >>> 8) & 0xff;
      b[len + 2] = (fcs >>> 16) & 0xff;
      b[len + 3] = fcs >>> 24;
      src = b;
      base = 0;
      total = len + 4;
    }
    const bufSize = this.bufSize;
    let errors = 0;
    let pos = 0;
    for (let k = 0; k < need; k++) {
      const chunk = Math.min(total - pos, bufSize);
      const last = k === need - 1;
      const status = last ? STATUS_LAST | (csum & 0xff) : STATUS_MORE;
      errors += this.storeNext(src, base + pos, chunk, status, last ? csum >>> 8 : 0);
      pos += chunk;
    }
    return errors;
  }

  /**
   * Writes `src[from, from+len)` into the buffer of descriptor RDH, writes the descriptor back with `status`
   * and `errors` and advances RDH. A buffer that cannot be written — an address of 0 (an uninitialised
   * descriptor) or one outside mapped memory, counted as a bus error by the DMA space — gets RXE and no
   * data, and makes this return 1 (else 0).
   *
   * The ring is reached through a DMA map loaded when RDBAL/RDBAH/RDLEN were written, and the buffer
   * through a map loaded from the descriptor's two address words and written in the same step
   * (`DmaMap.storeAt`: `bus_dmamap` resolves the bus address to its arena and offset once, bounds checked
   * once; the copy is one `set`/`copyWithin`/word copy): no double crosses a call. The descriptor is
   * read and written back as little-endian 32-bit words (the address as two loads, the write-back as two
   * stores), never byte by byte.
   */
  private storeNext(src: Uint8Array, from: number, len: number, status: number, errors: number): number {
    const ring = this.ring;
    const v = ring.view;
    const h = this.rdh;
    const o = ring.off + h * DESC;
    const lo = v.getUint32(o, true);
    const hi = v.getUint32(o + 4, true);
    // Memory that is not there is the host's business: the map counts a bus error, as after a master abort.
    const ok = (hi !== 0 || lo !== 0) && this.bufMap!.storeAt(hi, lo, src, from, len);
    // Bytes 8..15 as two little-endian words: length, checksum 0; status, errors, special 0. The second
    // word is worked out before the stores: with its conditional inside the call's arguments, after the
    // first store, V8 (node 20) compiled that store as a call to the setUint32 builtin on every frame.
    const w3 = status | ((errors | (ok ? 0 : ERR_RXE)) << 8);
    v.setUint32(o + 8, len, true);
    v.setUint32(o + 12, w3, true);
    this.rdh = h + 1 === ring.size ? 0 : h + 1;
    return ok ? 0 : 1;
  }

  /**
   * The receive address filter for a multicast or broadcast destination: MPE, BAM for broadcast, the
   * exact match, then the MTA hash. (A unicast destination is filtered in `receive`.)
   */
  private acceptGroup(frame: Uint8Array, off: number, bcast: boolean, dstLo: number, dstHi: number): boolean {
    const rctl = this.rctl;
    if ((rctl & RCTL_MPE) !== 0) return true;
    if (bcast) return (rctl & RCTL_BAM) !== 0;
    if (this.exactMatch(dstLo, dstHi)) return true;
    const hash = mtaHash(frame, off, (rctl >>> RCTL_MO_SHIFT) & 3);
    return (this.r[R(E1000_MTA) + (hash >>> 5)] & (1 << (hash & 31))) !== 0;
  }

  /** Whether the destination `lo`, `hi` (as RAL/RAH hold it) is one of the valid receive addresses. */
  private exactMatch(lo: number, hi: number): boolean {
    const raLo = this.raLo;
    const raHi = this.raHi;
    for (let i = 0; i < this.raCount; i++) if (raLo[i] === lo && raHi[i] === hi) return true;
    return false;
  }
}
