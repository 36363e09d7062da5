/**
 * The e1000 model's transmit unit. Writing TDT (with TCTL.EN) starts the engine on the clock: it fetches
 * descriptors from TDH, gathers an EOP-terminated packet into its on-chip buffer, pads it to 60 bytes if
 * TCTL.PSP, puts it on the wire, writes DD back into the descriptors that asked for it (RS), advances TDH
 * and raises TXDW (delayed by TIDV/TADV for descriptors with IDE) and, when TDH reaches TDT, TXQE.
 * Packets leave one after another at the link speed (preamble, FCS and inter-frame gap included).
 *
 * Register state arrives decoded when it is written (TCTL, TDBAL/TDBAH, TDLEN, TDH/TDT).
 *
 * @module
 */
import type { Clock, DmaAccess, DmaMap, HardwareTimer, Nanoseconds, Wire, WireEndpoint } from '@ifnet/core';
import {
  DESC_SIZE,
  ICR_TXQE,
  TCTL_EN,
  TCTL_PSP,
  TXD_CMD_DEXT,
  TXD_CMD_EOP,
  TXD_CMD_IDE,
  TXD_CMD_RS,
  TXD_STAT_DD,
} from '../regs.js';
import { DescriptorRing } from './descriptor-ring.js';
import type { E1000Interrupts } from './interrupts.js';
import type { E1000DeviceStats, E1000StatRegs } from './statistics.js';

/** Maximum packet the transmit engine gathers (bytes). */
const MAX_TX_FRAME = 16384;
/** {@link E1000Transmitter.gather}: no EOP descriptor yet. */
const TX_INCOMPLETE = -1;
/** {@link E1000Transmitter.gather}: the packet cannot be sent. */
const TX_BAD = -2;
// The register bits used per frame, as this module's own constants (README: imported ones cost a load).
const DESC = DESC_SIZE;
const CMD_RS = TXD_CMD_RS;
const CMD_IDE = TXD_CMD_IDE;
const CMD_EOP = TXD_CMD_EOP;
const CMD_DEXT = TXD_CMD_DEXT;
const STAT_DD = TXD_STAT_DD;
const TXQE = ICR_TXQE;

export class E1000Transmitter {
  linkUp = false;
  /** The descriptor ring (base, length, DMA map). */
  readonly ring = new DescriptorRing('e1000 tx ring');
  wire: Wire | null = null;
  tdh = 0;
  tdt = 0;
  private bufMap: DmaMap | null = null;
  /** The last packet gathered is one buffer, still loaded in {@link bufMap}. */
  private direct = false;

  private enabled = false;
  private pad = false;
  private clock: Clock | null = null;
  private timer: HardwareTimer | null = null;
  /** When the transmitter has finished the previous packet (inter-frame gap included). */
  private nextFree: Nanoseconds = 0;
  /**
   * When the engine was scheduled to start ({@link timer}'s expiry at its latest arming): no packet
   * starts before it (the TDT write, or the port becoming free). Non-integer so V8 keeps it a double.
   */
  private runAt: Nanoseconds = Number.NaN;
  /** On-chip transmit buffer (a gathered packet). */
  private readonly buf = new Uint8Array(MAX_TX_FRAME);
  /** The last packet gathered had a descriptor with RS / its RS descriptor had IDE. */
  private rs = false;
  private ide = false;

  constructor(
    private readonly endpoint: WireEndpoint,
    private readonly stats: E1000DeviceStats,
    private readonly regs: E1000StatRegs,
    private readonly irq: E1000Interrupts,
    /** Wire time of one byte in ns (8 at 1 Gb/s). */
    private readonly nsPerByte: number,
  ) {}

  connect(clock: Clock, dma: DmaAccess): void {
    this.clock = clock;
    this.timer = clock.createTimer('e1000.tx', () => this.run());
    this.ring.connect(dma);
    this.bufMap = dma.createMap('e1000 tx buffer', MAX_TX_FRAME);
  }

  reset(): void {
    this.timer?.cancel();
    this.nextFree = 0;
    this.runAt = 0;
    this.ring.reset();
    this.tdh = this.tdt = 0;
    this.enabled = this.pad = false;
  }

  /** TCTL written. */
  setTctl(v: number): void {
    this.enabled = (v & TCTL_EN) !== 0;
    this.pad = (v & TCTL_PSP) !== 0;
    if (this.enabled) this.kick();
  }

  /** TDBAL/TDBAH written. */
  setBase(lo: number, hi: number): void {
    this.ring.setBase(lo, hi);
  }

  /** TDLEN written: the ring's length in descriptors. */
  setRingSize(n: number): void {
    this.ring.setSize(n);
  }

  /**
   * TDT written (or TCTL.EN set): start the engine if it is idle — on the clock, never inside the
   * register write (as on hardware, the write only tells the DMA engine there is work).
   */
  kick(): void {
    const t = this.timer;
    if (t === null || t.armed || !this.enabled) return;
    const now = this.clock!.now();
    this.runAt = Math.max(now, this.nextFree);
    t.arm(this.runAt);
  }

  /**
   * Transmit engine: sends the packet at TDH, then the next ones while the port is already free again
   * (on the real clock, time passes while a packet is handled), and otherwise schedules itself for when
   * the port is free: packets leave one after another at the link speed, and a burst costs one timer
   * arm where the clock allows it.
   *
   * The clock is read once per run, not per packet (on the real clock each reading is a boxed double):
   * packet *k* of a run starts when the port is free after packet *k−1*, or when the engine was due to
   * start ({@link runAt}), whichever is later — the wire schedule at the link speed — and the run goes on
   * while that schedule is not ahead of the reading. On the virtual clock the reading is the timer's
   * expiry, so this is exactly one packet per port-free instant, as before.
   */
  private run(): void {
    const now = this.clock!.now();
    for (;;) {
      if (!this.enabled || !this.ring.ok) return;
      const n = this.ring.size;
      const tdt = this.tdt;
      if (n === 0 || this.tdh === tdt || this.tdh >= n || tdt >= n) return;
      if (!this.sendOne(n, tdt)) return; // the rest of the packet is not there yet: wait for a TDT write
      if (this.tdh === tdt) {
        this.irq.setCause(TXQE);
        return;
      }
      if (this.nextFree > now) {
        this.runAt = this.nextFree;
        this.timer!.arm(this.runAt);
        return;
      }
    }
  }

  /** Gathers and sends the packet at TDH. False when its EOP descriptor is not there yet. */
  private sendOne(n: number, tdt: number): boolean {
    let total = this.gather(this.tdh, tdt, n);
    if (total === TX_INCOMPLETE) return false;
    // When this packet starts on the wire: the port is free and the engine was due (see run).
    const start = Math.max(this.nextFree, this.runAt);
    const st = this.stats;
    if (total === TX_BAD) {
      st.txBad++;
    } else {
      // A packet in one buffer of at least the minimum size leaves straight from host memory (the DMA
      // map's arena); anything else from the on-chip buffer it was gathered into.
      let frame: Uint8Array = this.buf;
      let at = 0;
      if (this.direct) {
        if (total >= 60 || !this.pad) {
          frame = this.bufMap!.segArena[0];
          at = this.bufMap!.segOff[0];
        } else {
          this.bufMap!.copyOut(0, frame, 0, total);
        }
      }
      if (total < 60 && this.pad) {
        frame.fill(0, total, 60); // pad short packets (PSP)
        total = 60;
      }
      const wire = this.wire;
      if (this.linkUp && wire?.transmit(this.endpoint, frame, at, total)) {
        st.txFrames++;
        st.txBytes += total;
        const regs = this.regs;
        regs.gptc++;
        regs.tpt++;
        regs.gotc += total + 4;
        regs.tot += total + 4;
      } else {
        st.txRefused++;
      }
      // The port is busy for preamble + frame + FCS + inter-frame gap (whole ns at integral byte times).
      const busy = (Math.max(total, 60) + 24) * this.nsPerByte;
      this.nextFree = start + (Number.isInteger(busy) ? busy : Math.ceil(busy));
    }
    if (this.rs) this.irq.txWrittenBack(this.ide);
    return true;
  }

  /**
   * Fetches the descriptors of one packet from TDH, gathers its bytes, writes DD back into the
   * descriptors that asked for it (RS) and advances TDH past the packet. Returns the packet's length,
   * {@link TX_BAD} for a packet that cannot be sent (a DEXT descriptor, a buffer outside mapped memory,
   * longer than 16 KB, empty: its descriptors are completed anyway), or {@link TX_INCOMPLETE} when no EOP
   * descriptor is there yet (nothing consumed). Sets `rs` / `ide`, and `direct` when the packet is one
   * buffer left loaded in the buffer map (not copied).
   *
   * Descriptors are read from the ring's DMA map as little-endian 32-bit words, buffers through a map
   * loaded from each descriptor's two address words: no bus address crosses a call as a double.
   */
  private gather(tdh: number, tdt: number, n: number): number {
    const a = this.ring.arena;
    const v = this.ring.view;
    const ringOff = this.ring.off;
    const map = this.bufMap!;
    const buf = this.buf;
    let h = tdh;
    let total = 0;
    let ok = true;
    let eop = false;
    let rs = false;
    let ide = false;
    let direct = false;
    while (h !== tdt) {
      const o = ringOff + h * DESC;
      // Bytes 8..11 as one little-endian word: length (bits 0..15), CSO, CMD (bits 24..31).
      const w = v.getUint32(o + 8, true);
      const len = w & 0xffff;
      const cmd = w >>> 24;
      h = h + 1 === n ? 0 : h + 1;
      if ((cmd & CMD_RS) !== 0) {
        rs = true;
        ide = (cmd & CMD_IDE) !== 0;
      }
      const last = (cmd & CMD_EOP) !== 0;
      if ((cmd & CMD_DEXT) !== 0 || total + len > MAX_TX_FRAME) ok = false;
      else if (ok && len > 0) {
        if (!map.loadAddr(v.getUint32(o + 4, true), v.getUint32(o, true), len)) ok = false;
        else if (last && total === 0)
          direct = true; // the whole packet is this buffer
        else ok = map.copyOut(0, buf, total, len);
        if (ok) total += len;
      }
      if (last) {
        eop = true;
        break;
      }
    }
    if (!eop) return TX_INCOMPLETE;
    if (h === (tdh + 1 === n ? 0 : tdh + 1)) {
      // A packet of one descriptor (the common case): its RS bit was just read, no second pass over it.
      if (rs) a[ringOff + tdh * DESC + 12] |= STAT_DD;
    } else {
      for (let k = tdh; k !== h; k = k + 1 === n ? 0 : k + 1) {
        const o = ringOff + k * DESC;
        if ((a[o + 11] & CMD_RS) !== 0) a[o + 12] |= STAT_DD;
      }
    }
    this.tdh = h;
    this.rs = rs;
    this.ide = ide;
    this.direct = direct && ok;
    return ok && total > 0 ? total : TX_BAD;
  }
}
