import { type RegisterNames, type RegisterTracer, registerName } from './register-trace.js';

/**
 * bus_space(9): device registers as the driver sees them.
 *
 * A device model implements {@link DeviceRegisters} (the hardware side: what a read returns and what a
 * write does). The kernel hands the driver a {@link BusSpace} over it: the only way a driver reaches its
 * device's registers. The driver never holds the device model itself — the device model is hardware.
 *
 * Offsets are byte offsets into the window (a memory-mapped BAR, or an I/O port range for a PIO part).
 */
export interface DeviceRegisters {
  /** Size of the register window in bytes. */
  readonly size: number;
  read8(offset: number): number;
  read16(offset: number): number;
  read32(offset: number): number;
  write8(offset: number, value: number): void;
  write16(offset: number, value: number): void;
  write32(offset: number, value: number): void;
  /**
   * Optional string accessors for a data port (a FIFO-like register read or written repeatedly at the
   * same offset, as an NE2000's remote-DMA port is). `count` accesses of the port's width move bytes to or
   * from `buf[off..]` in bus order (little-endian for 16-bit accesses). A model that implements them moves
   * a whole frame in one call; without them {@link BusSpace} falls back to a loop of single accesses.
   */
  readMulti8?(offset: number, dst: Uint8Array, dstOff: number, count: number): void;
  readMulti16?(offset: number, dst: Uint8Array, dstOff: number, count: number): void;
  writeMulti8?(offset: number, src: Uint8Array, srcOff: number, count: number): void;
  writeMulti16?(offset: number, src: Uint8Array, srcOff: number, count: number): void;
}

/** Counters of a bus space handle: every access is counted, and a bad one is an error, not a crash. */
export interface BusSpaceStats {
  reads: number;
  writes: number;
  /** Accesses outside the window or misaligned: ignored (reads return all ones, as a master abort does). */
  errors: number;
}

/**
 * The driver's handle on a register window (`bus_space_tag_t` + `bus_space_handle_t` in NetBSD).
 * Out-of-range or misaligned accesses are counted in {@link BusSpaceStats.errors}; a read returns all
 * ones (what a PCI master abort returns) and a write is dropped.
 */
export class BusSpace {
  readonly stats: BusSpaceStats = { reads: 0, writes: 0, errors: 0 };
  /** The register tracer, or null (the default: one null check per access). See {@link trace}. */
  private tracer: RegisterTracer | null = null;
  /** Where a trace gets the access time from (the host sets the CPU's clock). */
  now: () => number = () => 0;

  constructor(
    private readonly regs: DeviceRegisters,
    /** Name for diagnostics, e.g. `wm0 BAR0`. */
    readonly name: string,
    /**
     * Called before every access. The host sets it to bring the hardware up to the CPU's time (an MMIO
     * access is an interaction with the device *now*, so timers due by then must have fired) and to
     * charge the access's cost to the CPU afterwards.
     */
    private readonly onAccess: (() => void) | undefined = undefined,
    /** Register names of this window (from the device model), for traces. */
    readonly names: RegisterNames | undefined = undefined,
    /**
     * Called after a string access ({@link readMulti16} and friends) with the number of bytes moved: the
     * host charges the CPU per byte of programmed I/O (`CostProfile.pioPerByte`).
     */
    private readonly onStream: ((bytes: number) => void) | undefined = undefined,
  ) {}

  /**
   * Starts (or, with null, stops) tracing every access through this handle: the tracer sees offset,
   * width, value and the register's name (QEMU's `-trace`). Returns the previous tracer.
   */
  trace(tracer: RegisterTracer | null): RegisterTracer | null {
    const old = this.tracer;
    this.tracer = tracer;
    return old;
  }

  private traced(op: 'read' | 'write', width: 8 | 16 | 32, offset: number, value: number, ok: boolean): void {
    this.tracer?.access({
      time: this.now(),
      bus: this.name,
      op,
      width,
      offset,
      value,
      name: registerName(this.names, offset),
      error: !ok,
    });
  }

  get size(): number {
    return this.regs.size;
  }

  private ok(offset: number, width: number): boolean {
    if (offset >= 0 && offset + width <= this.regs.size && offset % width === 0) return true;
    this.stats.errors++;
    return false;
  }

  /** bus_space_read_1 */
  read8(offset: number): number {
    this.stats.reads++;
    this.onAccess?.();
    const ok = this.ok(offset, 1);
    const v = ok ? this.regs.read8(offset) & 0xff : 0xff;
    if (this.tracer !== null) this.traced('read', 8, offset, v, ok);
    return v;
  }
  /** bus_space_read_2 */
  read16(offset: number): number {
    this.stats.reads++;
    this.onAccess?.();
    const ok = this.ok(offset, 2);
    const v = ok ? this.regs.read16(offset) & 0xffff : 0xffff;
    if (this.tracer !== null) this.traced('read', 16, offset, v, ok);
    return v;
  }
  /** bus_space_read_4 */
  read32(offset: number): number {
    this.stats.reads++;
    this.onAccess?.();
    const ok = this.ok(offset, 4);
    const v = ok ? this.regs.read32(offset) >>> 0 : 0xffffffff;
    if (this.tracer !== null) this.traced('read', 32, offset, v, ok);
    return v;
  }
  /** bus_space_write_1 */
  write8(offset: number, value: number): void {
    this.stats.writes++;
    this.onAccess?.();
    const ok = this.ok(offset, 1);
    if (ok) this.regs.write8(offset, value & 0xff);
    if (this.tracer !== null) this.traced('write', 8, offset, value & 0xff, ok);
  }
  /** bus_space_write_2 */
  write16(offset: number, value: number): void {
    this.stats.writes++;
    this.onAccess?.();
    const ok = this.ok(offset, 2);
    if (ok) this.regs.write16(offset, value & 0xffff);
    if (this.tracer !== null) this.traced('write', 16, offset, value & 0xffff, ok);
  }
  /** bus_space_write_4 */
  write32(offset: number, value: number): void {
    this.stats.writes++;
    this.onAccess?.();
    const ok = this.ok(offset, 4);
    if (ok) this.regs.write32(offset, value >>> 0);
    if (this.tracer !== null) this.traced('write', 32, offset, value >>> 0, ok);
  }

  /**
   * A string access is one bus transaction per item: counted as `count` reads or writes, checked once
   * (offset, width and a destination that holds `count × width` bytes), synced once and charged per byte.
   */
  private okMulti(offset: number, width: number, buf: Uint8Array, bufOff: number, count: number): boolean {
    if (!this.ok(offset, width)) return false;
    if (
      Number.isInteger(count) &&
      count >= 0 &&
      Number.isInteger(bufOff) &&
      bufOff >= 0 &&
      bufOff + count * width <= buf.length
    ) {
      return true;
    }
    this.stats.errors++;
    return false;
  }

  /**
   * bus_space_read_multi_1: `count` 8-bit reads of the same register (a data port) into `dst[dstOff..]`.
   * Bad arguments are counted in {@link BusSpaceStats.errors} and leave `dst` untouched.
   */
  readMulti8(offset: number, dst: Uint8Array, dstOff: number, count: number): void {
    this.stats.reads += count;
    this.onAccess?.();
    if (!this.okMulti(offset, 1, dst, dstOff, count)) return;
    const regs = this.regs;
    if (regs.readMulti8 !== undefined) regs.readMulti8(offset, dst, dstOff, count);
    else for (let i = 0; i < count; i++) dst[dstOff + i] = regs.read8(offset);
    this.onStream?.(count);
  }

  /**
   * bus_space_read_multi_stream_2: `count` 16-bit reads of the same register into `dst[dstOff..]`, two
   * bytes each in bus (little-endian) order — how a driver copies a frame out of a 16-bit data port.
   */
  readMulti16(offset: number, dst: Uint8Array, dstOff: number, count: number): void {
    this.stats.reads += count;
    this.onAccess?.();
    if (!this.okMulti(offset, 2, dst, dstOff, count)) return;
    const regs = this.regs;
    if (regs.readMulti16 !== undefined) regs.readMulti16(offset, dst, dstOff, count);
    else {
      for (let i = 0; i < count; i++) {
        const v = regs.read16(offset);
        dst[dstOff + 2 * i] = v;
        dst[dstOff + 2 * i + 1] = v >>> 8;
      }
    }
    this.onStream?.(2 * count);
  }

  /** bus_space_write_multi_1: `count` 8-bit writes of `src[srcOff..]` to the same register. */
  writeMulti8(offset: number, src: Uint8Array, srcOff: number, count: number): void {
    this.stats.writes += count;
    this.onAccess?.();
    if (!this.okMulti(offset, 1, src, srcOff, count)) return;
    const regs = this.regs;
    if (regs.writeMulti8 !== undefined) regs.writeMulti8(offset, src, srcOff, count);
    else for (let i = 0; i < count; i++) regs.write8(offset, src[srcOff + i]);
    this.onStream?.(count);
  }

  /** bus_space_write_multi_stream_2: `count` 16-bit writes of `src[srcOff..]` (little-endian pairs). */
  writeMulti16(offset: number, src: Uint8Array, srcOff: number, count: number): void {
    this.stats.writes += count;
    this.onAccess?.();
    if (!this.okMulti(offset, 2, src, srcOff, count)) return;
    const regs = this.regs;
    if (regs.writeMulti16 !== undefined) regs.writeMulti16(offset, src, srcOff, count);
    else for (let i = 0; i < count; i++) regs.write16(offset, src[srcOff + 2 * i] | (src[srcOff + 2 * i + 1] << 8));
    this.onStream?.(2 * count);
  }
}
