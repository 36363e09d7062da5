/**
 * `pnpm bench` here: the e1000 under the whole stack on the real clock and the real CPU, each case next
 * to a hand-fused reference measured in the same run (@ifnet/benchkit), then heap bytes per packet and GC
 * events of each case from V8's own counters (`src/heap.ts`).
 *
 * - e1000 → Ethernet sink (60 and 1514 bytes); reference: copy each frame into a ring of buffers and
 *   dispatch on the Ethernet header.
 * - e1000 → IPv4 → UDP socket (60 and 1514 bytes); reference: the same copy and dispatch, the IPv4
 *   header checks and checksum, and the UDP port demultiplexing, fused in one loop.
 * - ICMP echo through the e1000 both ways (98-byte requests); reference: one hand-written function that
 *   copies the request in, checks it, builds the reply in a transmit buffer and copies it out.
 *
 * Frames are handed to the device's port directly in bursts of 64 and the CPU is run until they are
 * through (always-unmask policy, a 1 Tb/s port so that wire pacing does not count).
 */
import { Bench, type GroupResult } from '@ifnet/benchkit';
import { measureHeap } from '../src/heap.js';
import { MAC, type Rig, UDP_PORT, US, echoRequestFrame, makeRig, sinkFrame, udpFrame } from '../src/rig.js';
import { echo, receiveToSink, receiveToSocket } from '../src/workloads.js';

const SLOTS = 256;

/** A ring of 2 KiB buffers in one ArrayBuffer (the reference's receive ring). */
function ring(): Uint8Array[] {
  const arena = new ArrayBuffer(SLOTS * 2048);
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < SLOTS; i++) bufs.push(new Uint8Array(arena, i * 2048, 2048));
  return bufs;
}

function toUs(b: Uint8Array): boolean {
  return b[0] === MAC[0] && b[1] === MAC[1] && b[2] === MAC[2] && b[3] === MAC[3] && b[4] === MAC[4] && b[5] === MAC[5];
}

/** Ones'-complement check of the IPv4 header at 14 (20 bytes, no options). */
function ipHeaderOk(b: Uint8Array): boolean {
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (b[i] << 8) | b[i + 1];
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** Reference: copy + Ethernet dispatch. */
function refSink(f: Uint8Array) {
  const bufs = ring();
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (SLOTS - 1)];
      b.set(f);
      if (toUs(b) && ((b[12] << 8) | b[13]) === 0x88b5) n++;
    }
    return n;
  };
}

/** Reference: copy + Ethernet dispatch + IPv4 checks and header checksum + UDP port demux. */
function refUdp(f: Uint8Array) {
  const bufs = ring();
  const len = f.length;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (SLOTS - 1)];
      b.set(f);
      if (!toUs(b) || b[12] !== 0x08 || b[13] !== 0x00) continue;
      const ipLen = (b[16] << 8) | b[17];
      if (b[14] !== 0x45 || ipLen + 14 > len || !ipHeaderOk(b)) continue;
      if (((b[30] << 24) | (b[31] << 16) | (b[32] << 8) | b[33]) >>> 0 !== US || b[23] !== 17) continue;
      if (((b[36] << 8) | b[37]) === UDP_PORT) n++;
    }
    return n;
  };
}

/** Reference: one function that answers an echo request — copy in, check, build the reply, copy out. */
function refEcho(f: Uint8Array) {
  const rx = ring();
  const tx = ring();
  const wire = new Uint8Array(2048);
  const len = f.length;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = rx[i & (SLOTS - 1)];
      b.set(f);
      if (!toUs(b) || b[12] !== 0x08 || b[13] !== 0x00 || b[14] !== 0x45 || !ipHeaderOk(b)) continue;
      if (b[23] !== 1 || b[34] !== 8) continue;
      const t = tx[i & (SLOTS - 1)];
      t.set(b.subarray(0, len));
      for (let k = 0; k < 6; k++) {
        t[k] = b[6 + k];
        t[6 + k] = b[k];
      }
      for (let k = 0; k < 4; k++) {
        t[26 + k] = b[30 + k];
        t[30 + k] = b[26 + k];
      }
      t[34] = 0; // echo reply; checksum adjusted for the type change (RFC 1624)
      let c = ((t[36] << 8) | t[37]) + 0x0800;
      c = (c & 0xffff) + (c >>> 16);
      t[36] = c >>> 8;
      t[37] = c & 0xff;
      wire.set(t.subarray(0, len));
      n++;
    }
    return n;
  };
}

const rigs: Rig[] = [];
function rig(inet: boolean): Rig {
  const r = makeRig({ clock: 'real', inet });
  rigs.push(r);
  return r;
}

const plain = rig(false);
const stack = rig(true);
const heapRig = { sink: rig(false), udp: rig(true), echo: rig(true) };
const small = sinkFrame(60);
const large = sinkFrame(1514);
const udpSmall = udpFrame(60);
const udpLarge = udpFrame(1514);
const request = echoRequestFrame();

const bench = new Bench('e1000 under the stack, real clock (64-frame bursts)', { rounds: 5 });
bench.group(
  'e1000 -> Ethernet sink, 60-byte frames (packets)',
  { name: 'fused: copy into ring + Ethernet dispatch', fn: refSink(small) },
  [{ name: 'e1000 -> wm -> if_input -> ether -> sink', fn: receiveToSink(plain, small) }],
  { ops: 128_000 },
);
bench.group(
  'e1000 -> Ethernet sink, 1514-byte frames (packets)',
  { name: 'fused: copy into ring + Ethernet dispatch', fn: refSink(large) },
  [{ name: 'e1000 -> wm -> if_input -> ether -> sink', fn: receiveToSink(plain, large) }],
  { ops: 64_000 },
);
bench.group(
  'e1000 -> IPv4 -> UDP socket, 60-byte frames (datagrams)',
  { name: 'fused: copy + Ethernet + IPv4 checksum + UDP demux', fn: refUdp(udpSmall) },
  [{ name: 'e1000 -> wm -> ether -> ip -> udp -> socket', fn: receiveToSocket(stack, udpSmall) }],
  { ops: 128_000 },
);
bench.group(
  'e1000 -> IPv4 -> UDP socket, 1514-byte frames (datagrams)',
  { name: 'fused: copy + Ethernet + IPv4 checksum + UDP demux', fn: refUdp(udpLarge) },
  [{ name: 'e1000 -> wm -> ether -> ip -> udp -> socket', fn: receiveToSocket(stack, udpLarge) }],
  { ops: 64_000 },
);
bench.group(
  'ICMP echo through the e1000 both ways, 98-byte requests (replies)',
  { name: 'hand-written single-function responder', fn: refEcho(request) },
  [{ name: 'e1000 -> wm -> ip -> icmp -> ip -> ether -> wm -> e1000', fn: echo(stack, request) }],
  { ops: 128_000 },
);
const groups: GroupResult[] = bench.run();

// Heap bytes per packet and GC events, each case on a rig of its own, after the timing.
const heapCases: [string, (n: number) => number][] = [
  ['sink, 60 B', receiveToSink(heapRig.sink, small)],
  ['UDP socket, 60 B', receiveToSocket(heapRig.udp, udpSmall)],
  ['echo both ways', echo(heapRig.echo, request)],
];
const lines: string[] = [];
for (const [name, fn] of heapCases) {
  const h = await measureHeap(
    () => fn(64_000),
    () => fn(128_000),
  );
  lines.push(
    `  ${name.padEnd(18)} ${h.bytesPerPacket.toFixed(2).padStart(7)} B/packet  ${h.scavenges} scavenges  ${h.majors} major GCs`,
  );
}
console.log(`heap, real clock (V8 new_space growth over 128,000 packets):\n${lines.join('\n')}`);

const ns = (g: number) => groups[g].results[1].nsPerOp;
console.log(
  `targets: sink ${groups[0].results[1].ratio.toFixed(3)}x the fused loop (>= 0.3); ` +
    `UDP socket ${groups[2].results[1].ratio.toFixed(3)}x (>= 0.17); ` +
    `1514/60-byte cost: sink ${(ns(1) / ns(0)).toFixed(2)}, UDP ${(ns(3) / ns(2)).toFixed(2)} (<= 1.5); ` +
    `echo ${(groups[4].results[1].opsPerSec / 1e6).toFixed(2)} Mpps (>= 2.5)`,
);
for (const r of rigs) r.stop();
