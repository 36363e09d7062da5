/**
 * `pnpm bench` in @ifnet/inet: the protocol path alone (no driver, no wire), frames injected straight into
 * `ifp.input` of a dummy Ethernet interface after a copy in with `m_devget`, as a PIO driver would (the
 * rig is `bench/rig.ts`, shared with the heap tests):
 *
 * 1. UDP datagrams delivered per second through `if_input` → Ethernet → IPv4 → UDP → socket buffer →
 *    application continuation → receive callback, which frees each packet; reference: one hand-written
 *    function doing the same checks (Ethernet destination and type; IPv4 version, lengths, header checksum,
 *    destination; UDP length, checksum with the pseudo-header, port) on a flat byte array. A second row
 *    marks each packet with the checksum verdict of a NIC with receive offload (the e1000's
 *    `M_CSUM_IPv4 | M_CSUM_UDPv4`), so IPv4 and UDP skip their software sums: the protocol path as the
 *    e1000 → UDP socket benchmark runs it.
 * 2. ICMP echo through the stack: request in, reply out through IPv4 output, ARP (a static entry) and
 *    Ethernet framing to the interface's send queue, where the sink NIC frees it; reference: one
 *    hand-written responder that validates the request the same way and writes the reply frame (MACs and
 *    addresses swapped, type 0, checksum updated incrementally) into an output buffer.
 */
import { Bench, sink } from '@ifnet/benchkit';
import { M_CSUM_IPv4, M_CSUM_UDPv4 } from '@ifnet/core';
import { inetFor, udpFor } from '../src/index.js';
import { HDRS, MAC, PORT, US, echoFrame, rig, udpFrame } from './rig.js';

/** The receive checksum verdict an e1000 gives a good UDP datagram (BSD `csum_flags`). */
const OFFLOADED = M_CSUM_IPv4 | M_CSUM_UDPv4;
/** Frames injected before the application continuation runs (the socket buffer holds them meanwhile). */
const BATCH = 64;

/**
 * The reference: validates one frame and returns the UDP payload length, or -1. One function, flat bytes,
 * 32-bit loads for the checksums (one's complement sums can be taken over 32-bit words and folded).
 */
function parseFrame(f: Uint8Array, v: DataView, len: number): number {
  if (len < 42) return -1;
  // Ethernet: to us, IPv4.
  if (f[0] !== MAC[0] || f[1] !== MAC[1] || f[2] !== MAC[2] || f[3] !== MAC[3] || f[4] !== MAC[4] || f[5] !== MAC[5])
    return -1;
  if (f[12] !== 0x08 || f[13] !== 0x00) return -1;
  // IPv4.
  const vhl = f[14];
  if (vhl >>> 4 !== 4) return -1;
  const hlen = (vhl & 15) << 2;
  if (hlen < 20) return -1;
  const ipLen = (f[16] << 8) | f[17];
  if (ipLen < hlen || 14 + ipLen > len) return -1;
  let s = v.getUint32(14) + v.getUint32(18) + v.getUint32(22) + v.getUint32(26) + v.getUint32(30);
  for (let i = 34; i < 14 + hlen; i += 4) s += v.getUint32(i);
  s = (s % 0x10000) + Math.floor(s / 0x10000);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  if (s !== 0xffff) return -1;
  if (v.getUint32(30) !== US || f[23] !== 17) return -1;
  if ((v.getUint16(20) & 0x3fff) !== 0) return -1; // a fragment: not handled by the reference
  // UDP.
  const u = 14 + hlen;
  const ulen = (f[u + 4] << 8) | f[u + 5];
  if (ulen < 8 || ulen > ipLen - hlen) return -1;
  if (((f[u + 2] << 8) | f[u + 3]) !== PORT) return -1;
  if (((f[u + 6] << 8) | f[u + 7]) !== 0) {
    let c = 17 + ulen + (v.getUint32(26) % 0x10000) + Math.floor(v.getUint32(26) / 0x10000);
    c += v.getUint16(30) + v.getUint16(32);
    const end16 = u + (ulen & ~15);
    const end4 = u + (ulen & ~3);
    let i = u;
    for (; i < end16; i += 16) c += v.getUint32(i) + v.getUint32(i + 4) + v.getUint32(i + 8) + v.getUint32(i + 12);
    for (; i < end4; i += 4) c += v.getUint32(i);
    if (ulen & 2) {
      c += v.getUint16(i);
      i += 2;
    }
    if (ulen & 1) c += f[i] << 8;
    c = (c % 0x10000) + Math.floor(c / 0x10000);
    c = (c & 0xffff) + (c >>> 16);
    c = (c & 0xffff) + (c >>> 16);
    if (c !== 0xffff) return -1;
  }
  return ulen - 8;
}

/**
 * The echo reference: validates an Ethernet + IPv4 + ICMP echo request on flat bytes and writes the echo
 * reply frame into `out`. Returns the reply length, or -1.
 */
function echoRespond(f: Uint8Array, v: DataView, len: number, out: Uint8Array, ov: DataView): number {
  if (len < 42) return -1;
  if (f[0] !== MAC[0] || f[1] !== MAC[1] || f[2] !== MAC[2] || f[3] !== MAC[3] || f[4] !== MAC[4] || f[5] !== MAC[5])
    return -1;
  if (f[12] !== 0x08 || f[13] !== 0x00 || f[14] !== 0x45) return -1;
  const ipLen = (f[16] << 8) | f[17];
  if (ipLen < 28 || 14 + ipLen > len) return -1;
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (f[i] << 8) | f[i + 1];
  s = (s & 0xffff) + (s >>> 16);
  if ((s & 0xffff) + (s >>> 16) !== 0xffff) return -1;
  if (v.getUint32(30) !== US || f[23] !== 1 || (v.getUint16(20) & 0x3fff) !== 0) return -1;
  const end = 14 + ipLen;
  let c = 0;
  for (let i = 34; i + 1 < end; i += 2) c += (f[i] << 8) | f[i + 1];
  if ((ipLen & 1) !== 0) c += f[end - 1] << 8;
  c = (c & 0xffff) + (c >>> 16);
  if ((c & 0xffff) + (c >>> 16) !== 0xffff || f[34] !== 8) return -1;
  out.set(f); // the frame is exactly the datagram (no link padding), so no subarray view is needed
  for (let i = 0; i < 6; i++) {
    out[i] = f[6 + i];
    out[6 + i] = f[i];
  }
  ov.setUint32(26, v.getUint32(30));
  ov.setUint32(30, v.getUint32(26));
  out[34] = 0;
  // RFC 1624: type 8 → 0 raises the complemented sum by 0x0800.
  let sum = ((f[36] << 8) | f[37]) + 0x0800;
  sum = (sum & 0xffff) + (sum >>> 16);
  out[36] = sum >>> 8;
  out[37] = sum & 0xff;
  return end;
}

/** With `csumFlags`, the packets carry a NIC's checksum verdict: IPv4 and UDP skip the software sums. */
function udpCase(r: ReturnType<typeof rig>, f: Uint8Array, csumFlags = 0) {
  return (ops: number) => {
    const before = r.delivered();
    for (let i = 0; i < ops; i += BATCH) r.inject(f, Math.min(BATCH, ops - i), false, csumFlags);
    const got = r.delivered() - before;
    if (got !== ops * (f.length - HDRS)) throw new Error(`delivered ${got} bytes, expected ${ops * (f.length - HDRS)}`);
    return got;
  };
}

function echoCase(r: ReturnType<typeof rig>, f: Uint8Array) {
  return (ops: number) => {
    const before = r.sent();
    for (let i = 0; i < ops; i += BATCH) r.inject(f, Math.min(BATCH, ops - i));
    const got = r.sent() - before;
    if (got !== ops) throw new Error(`sent ${got} replies, expected ${ops}`);
    return got;
  };
}

function parseReference(f: Uint8Array) {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const len = f.length;
  return (ops: number) => {
    let n = 0;
    for (let i = 0; i < ops; i++) n += parseFrame(f, v, len);
    if (n !== ops * (len - HDRS)) throw new Error('reference parser refused a valid frame');
    return n;
  };
}

function echoReference(f: Uint8Array) {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const out = new Uint8Array(f.length);
  const ov = new DataView(out.buffer);
  return (ops: number) => {
    let n = 0;
    for (let i = 0; i < ops; i++) n += echoRespond(f, v, f.length, out, ov);
    if (n !== ops * f.length) throw new Error('reference responder refused a valid request');
    return n;
  };
}

function copyOnlyCase(r: ReturnType<typeof rig>, f: Uint8Array) {
  const pool = r.host.pool;
  const len = f.length;
  return (ops: number) => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const m = pool.devget(f, 0, len, null)!;
      n += m.len;
      pool.freem(m);
    }
    return n;
  };
}

const r = rig('virtual');
const only = process.env.CASE; // 'udp' | 'echo' to run one kind
const bench = new Bench('@ifnet/inet protocol path: packets per second (virtual clock)', { ops: 200_000, rounds: 7 });
if (only === undefined || only === 'udp') {
  for (const payload of process.env.P ? [Number(process.env.P)] : [18, 512, 1472]) {
    const f = udpFrame(payload);
    bench.group(
      `UDP to a socket, ${f.length}-byte frames (payload ${payload})`,
      { name: 'hand-written parser, flat bytes', fn: parseReference(f) },
      [
        { name: 'ifnet: devget + ether → ip → udp → socket → callback', fn: udpCase(r, f) },
        { name: 'same, checksums verified by the NIC (csumFlags)', fn: udpCase(r, f, OFFLOADED) },
        { name: 'devget + freem alone (the copy in)', fn: copyOnlyCase(r, f) },
      ],
    );
  }
}
if (only === undefined || only === 'echo') {
  for (const size of [56, 1472]) {
    const f = echoFrame(size);
    bench.group(
      `ICMP echo through the stack, ${f.length}-byte frames (${size} data bytes)`,
      { name: 'hand-written single-function responder', fn: echoReference(f) },
      [{ name: 'ifnet: devget + ether → ip → icmp → ip output → arp → ether → sendq', fn: echoCase(r, f) }],
    );
  }
}
bench.run();
const inet = inetFor(r.host);
sink(inet.stats.received);
console.log(
  `ip: received ${inet.stats.received}, delivered ${inet.stats.delivered}, drops ${JSON.stringify(inet.stats.drops)}; ` +
    `udp drops ${JSON.stringify(udpFor(r.host).stats.drops)}; pool in use ${r.host.pool.stats.mbufs.inUse}; port ${PORT}`,
);
