/**
 * 0 JavaScript heap bytes per packet through the e1000 — receive to an Ethernet sink, receive to a UDP
 * socket, transmit, and ICMP echo both ways (with addresses below and at or above 128.0.0.0, where an
 * unsigned address is no longer a small integer) — on the virtual clock and on the real clock, counted with
 * V8's statistics over 200,000 packets (benchkit's meter, `src/heap.ts`), never timed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeHeap, heapPerPacket } from '../src/heap.js';
import { type ClockKind, type Rig, type RigNet, echoRequestFrame, makeRig, sinkFrame, udpFrame } from '../src/rig.js';
import { echo, receiveToSink, receiveToSocket, transmit } from '../src/workloads.js';

const PACKETS = 200_000;
/**
 * Bytes per packet allowed, per clock and path. Any object allocated per packet costs at least 12 bytes
 * (a heap number). Receive on the virtual clock measures 0.02–0.07 B/packet (the simulation loop's
 * per-step numbers, amortised over a burst), bound 0.5: not even one object per 24 packets. On the real
 * clock 0.4–0.95 B/packet with other suites running (a sampling heap profile of the same path shows
 * 0.1–0.2: about one wall-clock read per 64-packet burst, as Node 20 boxes `performance.now()`; the
 * rest is the meter's noise), bound 2: one object per 8 packets fails. Transmit and echo are held under
 * 12 B on the real clock, less than one heap number per packet — they used to allocate 64 B (transmit)
 * and 35–64 B (echo) per packet before the real clock stopped arming a `setTimeout` per earlier timer
 * arm, the e1000's transmit engine read the clock once per run instead of per packet, and wm rang the
 * transmit doorbell once per poll.
 */
const BOUND: Record<ClockKind, Record<'rx' | 'socket' | 'tx' | 'echo', number>> = {
  virtual: { rx: 0.5, socket: 0.5, tx: 4, echo: 4 },
  real: { rx: 2, socket: 2, tx: 12, echo: 12 },
};

const rigs: Rig[] = [];
afterAll(() => {
  for (const r of rigs) r.stop();
});

function rig(clock: ClockKind, inet = false, net: RigNet = 'low'): Rig {
  const r = makeRig({ clock, inet, net });
  rigs.push(r);
  return r;
}

describe.each(['virtual', 'real'] as const)('e1000 on the %s clock: no heap allocation per packet', (clock) => {
  const cases: [string, 'rx' | 'socket' | 'tx' | 'echo', () => (n: number) => number][] = [
    ['receive: device DMA → wm poll → if_input → ether → sink', 'rx', () => receiveToSink(rig(clock), sinkFrame(60))],
    ['receive: … → IPv4 → UDP → socket → application', 'socket', () => receiveToSocket(rig(clock, true), udpFrame(60))],
    [
      'receive 1514-byte UDP frames (checksum offload through the WebAssembly engine)',
      'socket',
      () => receiveToSocket(rig(clock, true), udpFrame(1514)),
    ],
    ['transmit: if_transmit → wm start → device gather → wire → txeof', 'tx', () => transmit(rig(clock), 60)],
    ['ICMP echo through the e1000 both ways', 'echo', () => echo(rig(clock, true), echoRequestFrame())],
    [
      'ICMP echo both ways, addresses at or above 128.0.0.0 (192.0.2.x)',
      'echo',
      () => echo(rig(clock, true, 'high'), echoRequestFrame(98, 'high')),
    ],
  ];
  it.each(cases)('%s', async (name, path, make) => {
    const h = await heapPerPacket(make(), PACKETS);
    console.log(describeHeap(`${name}, ${clock} clock`, h));
    expect(h.packets).toBeGreaterThanOrEqual(PACKETS);
    expect(h.medianBytesPerPacket).toBeLessThan(BOUND[clock][path]);
  });
});
