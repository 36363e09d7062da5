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
import { Bench, FUSED_UDP_REFERENCE, type GroupResult } from '@ifnet/benchkit';
import { heapPerPacket } from '../src/heap.js';
import { type Rig, echoRequestFrame, makeRig, sinkFrame, udpFrame } from '../src/rig.js';
import { echo, receiveToSink, receiveToSocket } from '../src/workloads.js';
import { ECHO_REFERENCE, SINK_REFERENCE, refEcho, refSink, refUdp } from './references.js';

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
  { name: SINK_REFERENCE, fn: refSink(small) },
  [{ name: 'e1000 -> wm -> if_input -> ether -> sink', fn: receiveToSink(plain, small) }],
  { ops: 128_000 },
);
bench.group(
  'e1000 -> Ethernet sink, 1514-byte frames (packets)',
  { name: SINK_REFERENCE, fn: refSink(large) },
  [{ name: 'e1000 -> wm -> if_input -> ether -> sink', fn: receiveToSink(plain, large) }],
  { ops: 64_000 },
);
bench.group(
  'e1000 -> IPv4 -> UDP socket, 60-byte frames (datagrams)',
  { name: FUSED_UDP_REFERENCE, fn: refUdp(udpSmall) },
  [{ name: 'e1000 -> wm -> ether -> ip -> udp -> socket', fn: receiveToSocket(stack, udpSmall) }],
  { ops: 128_000 },
);
bench.group(
  'e1000 -> IPv4 -> UDP socket, 1514-byte frames (datagrams)',
  { name: FUSED_UDP_REFERENCE, fn: refUdp(udpLarge) },
  [{ name: 'e1000 -> wm -> ether -> ip -> udp -> socket', fn: receiveToSocket(stack, udpLarge) }],
  { ops: 64_000 },
);
bench.group(
  'ICMP echo through the e1000 both ways, 98-byte requests (replies)',
  { name: ECHO_REFERENCE, fn: refEcho(request) },
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
  const h = await heapPerPacket(fn, 128_000);
  lines.push(`  ${name.padEnd(18)} ${h.bytesPerPacket.toFixed(2).padStart(7)} B/packet  ${h.gcEvents} GC events`);
}
console.log(`heap, real clock (benchkit's meter over 128,000 packets):\n${lines.join('\n')}`);

const ns = (g: number) => groups[g].results[1].nsPerOp;
console.log(
  `targets: sink ${groups[0].results[1].ratio.toFixed(3)}x the fused loop (>= 0.3); ` +
    `UDP socket ${groups[2].results[1].ratio.toFixed(3)}x (>= 0.17); ` +
    `1514/60-byte cost: sink ${(ns(1) / ns(0)).toFixed(2)}, UDP ${(ns(3) / ns(2)).toFixed(2)} (<= 1.5); ` +
    `echo ${(groups[4].results[1].opsPerSec / 1e6).toFixed(2)} Mpps (>= 2.5)`,
);
for (const r of rigs) r.stop();
