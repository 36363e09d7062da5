/**
 * A single-producer, single-consumer ring of frames in a SharedArrayBuffer: a traffic worker writes, the
 * CPU thread reads, neither waits for the other. It is the "hardware FIFO" between a generator running
 * truly concurrently and the device model it feeds: when the consumer falls behind, the ring fills and the
 * producer counts what it could not write (a drop at the wire, as a full NIC FIFO drops).
 *
 * Layout: a control block of Int32 words, then `slots` (a power of two) slots of `slotBytes` bytes each. A slot holds a
 * 16-byte header — length (u32), pad, generation time (f64, ms since the Unix epoch, so both threads agree
 * whatever their own time origins) — and the frame.
 *
 * Protocol: the producer writes a slot, then publishes it with `Atomics.store(tail, tail + 1)`; the
 * consumer reads slots up to `Atomics.load(tail)` and releases them with `Atomics.store(head, ...)`.
 * Counters are free-running 32-bit integers; `(tail - head) | 0` is the fill level.
 *
 * Platform-neutral (SharedArrayBuffer and Atomics exist in browsers with cross-origin isolation).
 *
 * @module
 */

/** Control words (Int32 indices). */
export const RING_HEAD = 0;
export const RING_TAIL = 1;
/** Frames the producer could not write because the ring was full. */
export const RING_DROPPED = 2;
/** Set to 1 to ask the producer to stop; it notifies on this word too. */
export const RING_STOP = 3;
/** Set to 1 by the producer when it has finished (count reached or stopped). */
export const RING_DONE = 4;
/** Frames the producer generated (written or dropped). */
export const RING_GENERATED = 5;
/**
 * Byte offset of a float64 in the control block (words 6–7): when frame 0 was due, in ms since the Unix
 * epoch (NaN until the producer starts), so the consumer knows when each sequence number was due.
 */
export const RING_START_MS_BYTE = 24;
const CONTROL_WORDS = 8;
/** Bytes before the first slot. */
export const RING_CONTROL_BYTES = CONTROL_WORDS * 4;
const CONTROL_BYTES = RING_CONTROL_BYTES;
/** Per-slot header: length (u32 at 0), generation time (f64 at 8). */
export const SLOT_HEADER = 16;

export interface FrameRingLayout {
  slots: number;
  /** Largest frame a slot holds. */
  maxFrame: number;
}

/** The shared memory of a ring and typed views of it. Build it once per thread over the same buffer. */
export class FrameRing {
  readonly sab: SharedArrayBuffer;
  readonly ctrl: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly slots: number;
  readonly slotBytes: number;

  constructor(layout: FrameRingLayout, sab?: SharedArrayBuffer) {
    const n = layout.slots;
    if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`ring slots ${n}: a power of two`);
    if (!Number.isInteger(layout.maxFrame) || layout.maxFrame < 1)
      throw new RangeError(`ring maxFrame ${layout.maxFrame}`);
    this.slots = layout.slots;
    this.slotBytes = (SLOT_HEADER + layout.maxFrame + 7) & ~7;
    const size = CONTROL_BYTES + this.slots * this.slotBytes;
    this.sab = sab ?? new SharedArrayBuffer(size);
    if (this.sab.byteLength !== size) throw new RangeError(`ring buffer is ${this.sab.byteLength} bytes, need ${size}`);
    this.ctrl = new Int32Array(this.sab, 0, CONTROL_WORDS);
    this.bytes = new Uint8Array(this.sab);
    this.view = new DataView(this.sab);
    if (sab === undefined) this.view.setFloat64(RING_START_MS_BYTE, Number.NaN, true);
  }

  /** Byte offset of slot `i`'s header. */
  slotOffset(i: number): number {
    return CONTROL_BYTES + (i & (this.slots - 1)) * this.slotBytes;
  }

  /** Frames waiting. */
  get fill(): number {
    return (Atomics.load(this.ctrl, RING_TAIL) - Atomics.load(this.ctrl, RING_HEAD)) | 0;
  }
}
