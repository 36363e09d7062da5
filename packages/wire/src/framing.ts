/**
 * How long a frame occupies the medium.
 *
 * Frames cross a {@link Wire} as bytes without the FCS (see `@ifnet/core`'s `bus/wire.ts`). On a real
 * Ethernet each frame also costs a preamble and start delimiter (8 bytes), the FCS (4 bytes), padding up
 * to the 60-byte minimum, and an inter-frame gap (12 byte times) before the next frame may start. That is
 * why 1 Gb/s carries at most 1,488,095 minimum-size frames per second, not 1,953,125.
 *
 * - `ethernet` framing (the default) counts all of that;
 * - `raw` framing counts the frame's bytes only (a point-to-point link with no framing overhead).
 *
 * @module
 */
import type { Nanoseconds } from '@ifnet/core';

/** Preamble (7) + start frame delimiter (1). */
export const ETHER_PREAMBLE_BYTES = 8;
/** Frame check sequence. */
export const ETHER_FCS_BYTES = 4;
/** Inter-frame gap, in byte times (96 bit times). */
export const ETHER_IFG_BYTES = 12;
/** Minimum frame without FCS; shorter frames are padded on the medium. */
export const ETHER_MIN_FRAME_BYTES = 60;

export type Framing = 'ethernet' | 'raw';

/**
 * Byte times from the start of a frame until its last bit has arrived (preamble, padded frame, FCS), for
 * a frame of `len` bytes without FCS.
 */
export function arrivalBytes(len: number, framing: Framing): number {
  if (framing === 'raw') return len;
  return ETHER_PREAMBLE_BYTES + Math.max(len, ETHER_MIN_FRAME_BYTES) + ETHER_FCS_BYTES;
}

/** Byte times the transmitter is busy with a frame of `len` bytes: {@link arrivalBytes} plus the gap. */
export function occupancyBytes(len: number, framing: Framing): number {
  if (framing === 'raw') return len;
  return arrivalBytes(len, framing) + ETHER_IFG_BYTES;
}

/** Nanoseconds per byte at `bitRate` bits per second (0 for an infinitely fast link). */
export function nsPerByte(bitRate: number): Nanoseconds {
  if (!(bitRate > 0)) throw new RangeError(`bit rate must be > 0, got ${bitRate}`);
  return bitRate === Number.POSITIVE_INFINITY ? 0 : 8e9 / bitRate;
}

/** Largest frame rate a link of `bitRate` carries for frames of `len` bytes (without FCS). */
export function lineRate(len: number, bitRate: number, framing: Framing = 'ethernet'): number {
  return bitRate / (8 * occupancyBytes(len, framing));
}
