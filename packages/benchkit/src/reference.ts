/**
 * Hand-fused reference loops that several packages' benchmarks measure their paths against, kept here
 * once (benchkit depends on no ifnet package, so every driver and example can import it without a
 * package cycle).
 *
 * {@link fusedUdpReference} is the reference of the `rx` path (device → driver → `if_input` → IPv4 → UDP
 * → socket): per frame, the same copy into a ring of receive buffers, the Ethernet dispatch, the IPv4
 * header checks and checksum (RFC 1071) and the UDP port demultiplexing, in one loop and nothing else.
 *
 * @module
 */

/** Buffers in a reference's receive ring (a power of two). */
export const REFERENCE_SLOTS = 256;

/** A ring of {@link REFERENCE_SLOTS} 2 KiB buffers in one ArrayBuffer (the reference's receive ring). */
export function referenceRing(): Uint8Array[] {
  const arena = new ArrayBuffer(REFERENCE_SLOTS * 2048);
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < REFERENCE_SLOTS; i++) bufs.push(new Uint8Array(arena, i * 2048, 2048));
  return bufs;
}

/** Whether the Ethernet destination of the frame in `b` is `mac`. */
export function destinedTo(b: Uint8Array, mac: Uint8Array): boolean {
  return b[0] === mac[0] && b[1] === mac[1] && b[2] === mac[2] && b[3] === mac[3] && b[4] === mac[4] && b[5] === mac[5];
}

/** Ones'-complement check (RFC 1071) of the 20-byte IPv4 header at offset 14 of an Ethernet frame. */
export function ipv4HeaderOk(b: Uint8Array): boolean {
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (b[i] << 8) | b[i + 1];
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** Where the reference's datagrams go: the host's MAC, IPv4 address (a 32-bit number) and UDP port. */
export interface UdpReferenceTarget {
  readonly mac: Uint8Array;
  readonly ip: number;
  readonly port: number;
}

/**
 * The fused `rx` reference: copy `frame` (an Ethernet/IPv4/UDP frame without IP options) into the next
 * ring buffer, dispatch on the Ethernet header, check the IPv4 version, length, checksum, destination and
 * protocol, and demultiplex the UDP destination port; returns the datagrams that reached `target.port`.
 */
export function fusedUdpReference(frame: Uint8Array, target: UdpReferenceTarget): (ops: number) => number {
  const bufs = referenceRing();
  const len = frame.length;
  const { mac, ip, port } = target;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (REFERENCE_SLOTS - 1)];
      b.set(frame);
      if (!destinedTo(b, mac) || b[12] !== 0x08 || b[13] !== 0x00) continue;
      const ipLen = (b[16] << 8) | b[17];
      if (b[14] !== 0x45 || ipLen + 14 > len || !ipv4HeaderOk(b)) continue;
      if (((b[30] << 24) | (b[31] << 16) | (b[32] << 8) | b[33]) >>> 0 !== ip || b[23] !== 17) continue;
      if (((b[36] << 8) | b[37]) === port) n++;
    }
    return n;
  };
}

/** The table and JSON name of {@link fusedUdpReference}. */
export const FUSED_UDP_REFERENCE = 'fused: copy + Ethernet + IPv4 checksum + UDP demux';

/**
 * An Ethernet + IPv4 + UDP frame of `len` bytes (at least 42) from 02:00:00:00:00:02 / 10.0.0.2 port
 * 40000 to `target`, with a correct IPv4 header checksum and no UDP checksum (0: none, RFC 768), so it
 * passes a real IPv4 and UDP input and {@link fusedUdpReference}.
 */
export function udpReferenceFrame(len: number, target: UdpReferenceTarget): Uint8Array {
  const f = new Uint8Array(len);
  const v = new DataView(f.buffer);
  f.set(target.mac, 0);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00, 0x45, 0], 6);
  v.setUint16(16, len - 14);
  f[22] = 64;
  f[23] = 17;
  v.setUint32(26, 0x0a000002);
  v.setUint32(30, target.ip);
  let sum = 0;
  for (let k = 14; k < 34; k += 2) sum += (f[k] << 8) | f[k + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(24, ~sum & 0xffff);
  v.setUint16(34, 40000);
  v.setUint16(36, target.port);
  v.setUint16(38, len - 34);
  for (let i = 42; i < len; i++) f[i] = i & 0xff;
  return f;
}

/**
 * The name of a {@link PacketBenchCase.basis} that is the case's own path at 60-byte frames: a full-sized
 * frame's case measures it interleaved, so "a 1514-byte frame costs at most 1.5x the 60-byte time" reads
 * from one group of rounds (`1 / basis_ratio`) instead of two cases measured a minute apart.
 */
export const SMALL_FRAME_BASIS = 'the same path, 60-byte frames';
