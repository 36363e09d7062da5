/** Writes `v` big-endian (network order) into `b[o .. o + 4)`: byte stores, nothing allocates. Package-internal. */
export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
