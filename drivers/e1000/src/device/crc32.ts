/**
 * The Ethernet FCS: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as the MAC appends it. The
 * device model needs it only when the driver asks to keep the CRC in received frames (`RCTL.SECRC` clear).
 *
 * @module
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of `b[off, off+len)` (the value whose little-endian bytes follow the frame on the wire). */
export function crc32(b: Uint8Array, off: number, len: number): number {
  let c = -1;
  for (let i = off, end = off + len; i < end; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
