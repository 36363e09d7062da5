/**
 * IPv4/UDP test frames with correct (or deliberately broken) checksums, written here from RFC 791/768
 * so the checksum-offload tests do not depend on the stack they check.
 */

function sum(b: Uint8Array, off: number, len: number, acc = 0): number {
  let s = acc;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  if ((len & 1) !== 0) s += b[off + len - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

export interface Ipv4FrameOptions {
  dst: Uint8Array;
  src: Uint8Array;
  /** UDP payload bytes. Default 18 (a 60-byte frame). */
  payload?: number;
  /** IP protocol. Default 17 (UDP). */
  proto?: number;
  /** Flip a bit of the IPv4 header checksum. */
  badIp?: boolean;
  /** Flip a bit of the UDP checksum. */
  badUdp?: boolean;
  /** UDP checksum 0 ("none"). */
  noUdpSum?: boolean;
  /** More-fragments set. */
  fragment?: boolean;
}

/** An Ethernet + IPv4 + UDP frame 10.0.0.2 → 10.0.0.1, port 7 → 9. */
export function ipv4Frame(o: Ipv4FrameOptions): Uint8Array {
  const payload = o.payload ?? 18;
  const total = 20 + 8 + payload;
  const f = new Uint8Array(14 + total);
  f.set(o.dst, 0);
  f.set(o.src, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  const ip = 14;
  f[ip] = 0x45;
  f[ip + 2] = total >>> 8;
  f[ip + 3] = total & 0xff;
  if (o.fragment === true) f[ip + 6] = 0x20;
  f[ip + 8] = 64;
  f[ip + 9] = o.proto ?? 17;
  f.set([10, 0, 0, 2, 10, 0, 0, 1], ip + 12);
  const hsum = ~sum(f, ip, 20) & 0xffff;
  f[ip + 10] = hsum >>> 8;
  f[ip + 11] = hsum & 0xff;
  if (o.badIp === true) f[ip + 11] ^= 1;
  const u = ip + 20;
  f[u + 1] = 7;
  f[u + 3] = 9;
  f[u + 4] = (8 + payload) >>> 8;
  f[u + 5] = (8 + payload) & 0xff;
  for (let i = 0; i < payload; i++) f[u + 8 + i] = (i * 7 + 3) & 0xff;
  if (o.noUdpSum !== true) {
    const pseudo = sum(f, ip + 12, 8, (o.proto ?? 17) + 8 + payload);
    let usum = ~sum(f, u, 8 + payload, pseudo) & 0xffff;
    if (usum === 0) usum = 0xffff;
    f[u + 6] = usum >>> 8;
    f[u + 7] = usum & 0xff;
    if (o.badUdp === true) f[u + 7] ^= 1;
  }
  return f;
}
