/**
 * The DP8390 multicast filter index: the six most significant bits of the big-endian CRC-32 of a
 * destination address (polynomial 0x04C11DB7, register preset to all ones, each byte fed in least
 * significant bit first, no final inversion) select one of the 64 bits of MAR0-7: register `index >> 3`,
 * bit `index & 7`. The device model checks incoming group addresses with it; the driver sets bits with it.
 *
 * @module
 */

const POLY_BE = 0x04c11db7;

/** MAR bit index (0..63) of the 6-byte address at `addr[off..]`. */
export function marIndex(addr: Uint8Array, off = 0): number {
  let crc = -1;
  for (let i = 0; i < 6; i++) {
    let b = addr[off + i];
    for (let k = 0; k < 8; k++) {
      const top = (crc >>> 31) ^ (b & 1);
      crc <<= 1;
      if (top !== 0) crc ^= POLY_BE;
      b >>>= 1;
    }
  }
  return crc >>> 26;
}
