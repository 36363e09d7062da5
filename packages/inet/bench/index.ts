/**
 * `pnpm bench` in @ifnet/inet: UDP datagrams per second delivered to a socket through the whole receive
 * path — `if_input` → Ethernet → IPv4 → UDP → socket queue → application continuation → receive callback,
 * which frees each packet — with frames injected straight into `ifp.input` of a dummy Ethernet interface
 * (no driver, no wire: the protocol path alone). Each frame is first copied into an mbuf with `m_devget`,
 * as a PIO driver would.
 *
 * Reference, measured in the same run on the same frames: one hand-written function that does the checks
 * the stack does for such a frame — Ethernet destination and type; IPv4 version, header length, total
 * length, header checksum, destination; UDP length, checksum with the pseudo-header, port — on a flat
 * byte array, as fast as plain JavaScript allows.
 */
import { Bench, sink } from '@ifnet/benchkit';
import {
  type Host,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFT_ETHER,
  type Ifnet,
  Simulation,
  createPlatform,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { cksumBytes, inetFor, parseAddr, pseudoHeaderSum, registerInet, udpFor } from '../src/index.js';

const MAC = Uint8Array.from([0x02, 0, 0, 0, 0, 0x01]);
const PEER_MAC = Uint8Array.from([0x02, 0, 0, 0, 0, 0x02]);
const US = parseAddr('10.0.0.1');
const PEER = parseAddr('10.0.0.2');
const PORT = 9000;
/** Frames injected before the application continuation runs (the socket queue holds them meanwhile). */
const BATCH = 64;

/** An Ethernet + IPv4 + UDP frame with `payload` bytes, all checksums correct. */
function frame(payload: number): Uint8Array {
  const ulen = 8 + payload;
  const ipLen = 20 + ulen;
  const f = new Uint8Array(14 + ipLen);
  const v = new DataView(f.buffer);
  f.set(MAC, 0);
  f.set(PEER_MAC, 6);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, ipLen);
  v.setUint16(18, 1);
  f[22] = 64;
  f[23] = 17;
  v.setUint32(26, PEER);
  v.setUint32(30, US);
  v.setUint16(24, ~cksumBytes(f, 14, 20) & 0xffff);
  v.setUint16(34, 40000);
  v.setUint16(36, PORT);
  v.setUint16(38, ulen);
  for (let i = 0; i < payload; i++) f[42 + i] = (i * 13) & 0xff;
  let s = ~cksumBytes(f, 34, ulen, pseudoHeaderSum(PEER, US, 17, ulen)) & 0xffff;
  if (s === 0) s = 0xffff;
  v.setUint16(40, s);
  return f;
}

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

interface Rig {
  host: Host;
  ifp: Ifnet;
  delivered: () => number;
}

function rig(): Rig {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  const host = platform.createHost({ name: 'bench', runner: sim });
  const ifp = host.ifAttach({
    name: 'dummy',
    ifType: IFT_ETHER,
    lladdr: MAC,
    flags: IFF_BROADCAST | IFF_MULTICAST,
    ops: { init() {}, stop() {}, start() {} },
  });
  ifp.upIf();
  inetFor(host).addAddress(ifp, '10.0.0.1/24');
  let n = 0;
  const s = udpFor(host)
    .socket({ receiveQueue: 4 * BATCH })
    .bind(PORT);
  s.onMessage((m) => {
    n += m.pkthdr.len;
    m.pool.freem(m);
  });
  return { host, ifp, delivered: () => n };
}

function stackCase(r: Rig, f: Uint8Array) {
  const { host, ifp } = r;
  const pool = host.pool;
  const cpu = host.cpu;
  const len = f.length;
  return (ops: number) => {
    const before = r.delivered();
    for (let i = 0; i < ops; ) {
      const end = Math.min(ops, i + BATCH);
      for (; i < end; i++) ifp.input(pool.devget(f, 0, len, null)!);
      // The application continuation (IPL_NONE) runs the receive callbacks.
      while (cpu.runUnit()) {
        /* drain */
      }
    }
    const got = r.delivered() - before;
    if (got !== ops * (len - 42)) throw new Error(`delivered ${got} bytes, expected ${ops * (len - 42)}`);
    return got;
  };
}

function referenceCase(f: Uint8Array) {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const len = f.length;
  return (ops: number) => {
    let n = 0;
    for (let i = 0; i < ops; i++) n += parseFrame(f, v, len);
    if (n !== ops * (len - 42)) throw new Error('reference parser refused a valid frame');
    return n;
  };
}

function copyOnlyCase(r: Rig, f: Uint8Array) {
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

const r = rig();
const bench = new Bench('@ifnet/inet receive path: UDP datagrams delivered per second', { ops: 200_000, rounds: 7 });
for (const payload of process.env.P ? [Number(process.env.P)] : [18, 512, 1472]) {
  const f = frame(payload);
  if (parseFrame(f, new DataView(f.buffer), f.length) !== payload) throw new Error('bad frame');
  bench.group(
    `${f.length}-byte frames (UDP payload ${payload})`,
    { name: 'hand-written parser, flat bytes', fn: referenceCase(f) },
    [
      { name: 'ifnet: devget + ether → ip → udp → socket → callback', fn: stackCase(r, f) },
      { name: 'devget + freem alone (the copy in)', fn: copyOnlyCase(r, f) },
    ],
  );
}
bench.run();
const inet = inetFor(r.host);
sink(inet.stats.received);
console.log(
  `ip: received ${inet.stats.received}, delivered ${inet.stats.delivered}, drops ${JSON.stringify(inet.stats.drops)}; ` +
    `udp drops ${JSON.stringify(udpFor(r.host).stats.drops)}; pool in use ${r.host.pool.stats.mbufs.inUse}`,
);
