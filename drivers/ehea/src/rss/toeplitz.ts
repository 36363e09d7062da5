/**
 * The Toeplitz hash of receive-side scaling (Microsoft RSS; FreeBSD `toeplitz_hash`, DPDK `rte_softrss`).
 *
 * For each bit of the input, most significant first, that is set, the 32 key bits starting at that bit's
 * position are XORed into the result. The input for IPv4 is the source then the destination address
 * (8 bytes); with TCP or UDP ports, the source then the destination port follow (12 bytes), all in network
 * byte order — exactly the bytes as they sit in the headers.
 *
 * {@link toeplitzHash} is the plain definition, bit by bit. {@link ToeplitzHasher} precomputes, for a key,
 * the XOR contribution of every byte value at every input position (12 × 256 words) so that hashing a
 * 12-byte tuple is 12 table lookups — what the device model does per frame, allocating nothing.
 *
 * @module
 */

/**
 * Microsoft's default RSS key (40 bytes), used by the verification suite ("Verifying the RSS hash
 * calculation") and by most drivers as their default.
 */
export const RSS_DEFAULT_KEY: Uint8Array = Uint8Array.of(
  0x6d,
  0x5a,
  0x56,
  0xda,
  0x25,
  0x5b,
  0x0e,
  0xc2,
  0x41,
  0x67,
  0x25,
  0x3d,
  0x43,
  0xa3,
  0x8f,
  0xb0,
  0xd0,
  0xca,
  0x2b,
  0xcb,
  0xae,
  0x7b,
  0x30,
  0xb4,
  0x77,
  0xcb,
  0x2d,
  0xa3,
  0x80,
  0x30,
  0xf2,
  0x0c,
  0x6a,
  0x42,
  0xb7,
  0x3b,
  0xbe,
  0xac,
  0x01,
  0xfa,
);

/** The 32 key bits starting at bit `pos` (bit 0 = the most significant bit of key byte 0); 0 past the end. */
function keyWindow(key: Uint8Array, pos: number): number {
  let w = 0;
  for (let i = 0; i < 32; i++) {
    const p = pos + i;
    const byte = p >>> 3;
    const bit = byte < key.length ? (key[byte] >>> (7 - (p & 7))) & 1 : 0;
    w = (w << 1) | bit;
  }
  return w >>> 0;
}

/**
 * The Toeplitz hash of `input[off, off + len)` under `key`, bit by bit (the definition). The key must be
 * at least `len + 4` bytes long for every input bit to see 32 key bits; shorter keys are padded with 0.
 */
export function toeplitzHash(key: Uint8Array, input: Uint8Array, off = 0, len = input.length - off): number {
  let result = 0;
  for (let i = 0; i < len; i++) {
    const b = input[off + i];
    for (let bit = 0; bit < 8; bit++) {
      if (((b >>> (7 - bit)) & 1) !== 0) result ^= keyWindow(key, i * 8 + bit);
    }
  }
  return result >>> 0;
}

/** Longest input a {@link ToeplitzHasher} handles: IPv4 addresses and ports (IPv6 would need 36). */
export const TOEPLITZ_MAX_INPUT = 12;

/**
 * A Toeplitz hash with the key folded into lookup tables: `table[i * 256 + v]` is the contribution of byte
 * value `v` at input position `i`. Changing the key rebuilds the table (3,072 words): do it at
 * configuration time, not per packet. Hashing allocates nothing.
 */
export class ToeplitzHasher {
  /**
   * `table[(i << 8) | v]`: the contribution of byte value `v` at input position `i`. Read-only for
   * callers that fold the lookups into their own loop (a hash returned from a call that is not inlined
   * is boxed when it exceeds 2^30; the classifier keeps it in a field instead).
   */
  readonly table = new Int32Array(TOEPLITZ_MAX_INPUT * 256);
  private readonly keyBytes = new Uint8Array(40);
  private readonly windows = new Int32Array(8);

  constructor(key: Uint8Array = RSS_DEFAULT_KEY) {
    this.setKey(key);
  }

  /** The current key (a copy). */
  get key(): Uint8Array {
    return this.keyBytes.slice();
  }

  /** Installs a new 40-byte key (rebuilds the tables; allocates nothing). */
  setKey(key: Uint8Array): void {
    if (key.length !== 40) throw new RangeError(`RSS key must be 40 bytes, got ${key.length}`);
    this.keyBytes.set(key);
    const t = this.table;
    for (let i = 0; i < TOEPLITZ_MAX_INPUT; i++) {
      const windows = this.windows;
      for (let bit = 0; bit < 8; bit++) windows[bit] = keyWindow(key, i * 8 + bit) | 0;
      for (let v = 0; v < 256; v++) {
        let x = 0;
        for (let bit = 0; bit < 8; bit++) if (((v >>> (7 - bit)) & 1) !== 0) x ^= windows[bit];
        t[i * 256 + v] = x;
      }
    }
  }

  /** The hash of `buf[off, off + len)`, `len` ≤ {@link TOEPLITZ_MAX_INPUT}. */
  hash(buf: Uint8Array, off: number, len: number): number {
    const t = this.table;
    let h = 0;
    for (let i = 0; i < len; i++) h ^= t[(i << 8) | buf[off + i]];
    return h >>> 0;
  }

  /** IPv4 2-tuple: the 8 bytes of source and destination address at `addrOff` (IPv4 header + 12). */
  hashIpv4(buf: Uint8Array, addrOff: number): number {
    return this.hash(buf, addrOff, 8);
  }

  /**
   * IPv4 4-tuple: the addresses at `addrOff`, then the 4 bytes of source and destination port at
   * `portOff` (the start of the TCP or UDP header).
   */
  hashIpv4Ports(buf: Uint8Array, addrOff: number, portOff: number): number {
    const t = this.table;
    let h = 0;
    for (let i = 0; i < 8; i++) h ^= t[(i << 8) | buf[addrOff + i]];
    for (let i = 0; i < 4; i++) h ^= t[((8 + i) << 8) | buf[portOff + i]];
    return h >>> 0;
  }
}

/**
 * The RSS input for an IPv4 flow, as bytes: addresses (dotted quads) and, when given, ports. For tests and
 * tools; allocates.
 */
export function rssInputIpv4(src: string, dst: string, sport?: number, dport?: number): Uint8Array {
  const out = new Uint8Array(sport === undefined ? 8 : 12);
  const put = (s: string, at: number) => {
    const parts = s.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255 && Number.isInteger(p)))) {
      throw new RangeError(`not an IPv4 address: ${s}`);
    }
    out.set(parts, at);
  };
  put(src, 0);
  put(dst, 4);
  if (sport !== undefined) {
    out[8] = sport >>> 8;
    out[9] = sport & 0xff;
    out[10] = (dport ?? 0) >>> 8;
    out[11] = (dport ?? 0) & 0xff;
  }
  return out;
}
