/**
 * Little-endian field access on a byte array — how the device model reads and writes queue entries in
 * host memory once a DMA map has resolved a ring to its arena (`segArena[0]` from `segOff[0]`). Plain
 * index arithmetic on small integers: nothing is allocated, and V8 inlines these into the callers.
 *
 * @module
 */

export function getU16(a: Uint8Array, o: number): number {
  return a[o] | (a[o + 1] << 8);
}

export function getU32(a: Uint8Array, o: number): number {
  return (a[o] | (a[o + 1] << 8) | (a[o + 2] << 16) | (a[o + 3] << 24)) >>> 0;
}

export function putU16(a: Uint8Array, o: number, v: number): void {
  a[o] = v & 0xff;
  a[o + 1] = (v >>> 8) & 0xff;
}

export function putU32(a: Uint8Array, o: number, v: number): void {
  a[o] = v & 0xff;
  a[o + 1] = (v >>> 8) & 0xff;
  a[o + 2] = (v >>> 16) & 0xff;
  a[o + 3] = (v >>> 24) & 0xff;
}
