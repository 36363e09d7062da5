/**
 * The measured paths, as `(packets) => packets moved` functions over a {@link Rig}: a burst of frames
 * handed to the device's port (or packets to `if_transmit`), then the clock and CPU pumped until the
 * burst has gone all the way through. Each throws if a packet is lost, so a figure is never a count of
 * drops.
 */
import { Continuation, IPL_NONE, type WireEndpoint } from '@ifnet/core';
import {
  type ClockKind,
  ETHERTYPE_EXP,
  MAC,
  PEER_MAC,
  type Rig,
  echoRequestFrame,
  makeRig,
  sinkFrame,
  udpFrame,
} from './rig.js';

export const BURST = 64;

/**
 * A burst of {@link BURST} copies of frame `f` arriving from the wire: one `wireReceive` per frame, as a
 * wire delivers them. The workloads below call it from a per-burst closure, so that V8 optimises both:
 * written inside the workload closures (each called a few times per measurement), the per-frame loop
 * ran as baseline code, with inline-cache loads of `r.port` and `wireReceive` per frame (~75 instructions
 * a frame), and an optimised outer loop was deoptimised between rounds and ran in the interpreter — costs
 * of the harness, not of the stack, which the fused references (optimised loops) do not pay.
 */
export function wireBurst(port: WireEndpoint, f: Uint8Array, len: number): void {
  for (let j = 0; j < BURST; j++) port.wireReceive(f, 0, len);
}

/** Runs `burst` once per {@link BURST} of `packets` (rounded up): the workloads' outer loop. */
function inBursts(packets: number, burst: () => void): void {
  for (let i = 0; i < packets; i += BURST) burst();
}

/** Frames up to the Ethernet sink (0x88B5): device DMA → wm poll → if_input → ether → sink frees. */
export function receiveToSink(r: Rig, f: Uint8Array): (packets: number) => number {
  const len = f.length;
  let want = 0;
  const done = () => r.sunk() === want;
  const burst = () => {
    wireBurst(r.port, f, len);
    want += BURST;
    r.pump(done);
  };
  return (packets) => {
    const before = r.sunk();
    want = before;
    inBursts(packets, burst);
    return check(r.sunk() - before, packets, r);
  };
}

/** UDP datagrams to a socket: device → wm → if_input → ether → IPv4 → UDP → socket → application frees. */
export function receiveToSocket(r: Rig, f: Uint8Array): (packets: number) => number {
  const len = f.length;
  let want = 0;
  const done = () => r.datagrams() === want;
  const burst = () => {
    wireBurst(r.port, f, len);
    want += BURST;
    r.pump(done);
  };
  return (packets) => {
    const before = r.datagrams();
    want = before;
    inBursts(packets, burst);
    return check(r.datagrams() - before, packets, r);
  };
}

/**
 * Packets of `len` bytes to `if_transmit`: wm start → device gather → wire → wm txeof frees. Each burst is
 * sent by an application on the host's CPU (a process-level continuation, as a socket's send runs), not
 * from outside it: code outside any unit of CPU work has no clock reading to share, so each of its
 * register writes would read the wall clock.
 */
export function transmit(r: Rig, len: number): (packets: number) => number {
  const pool = r.host.pool;
  const ifp = r.sc.ifp;
  const cpu = r.host.cpu;
  const sender = new Continuation<null>(
    'stack-sender',
    IPL_NONE,
    () => {
      for (let j = 0; j < BURST; j++) {
        const m = pool.getcl()!;
        const b = m.buf;
        const o = m.off;
        for (let k = 0; k < 6; k++) {
          b[o + k] = PEER_MAC[k];
          b[o + 6 + k] = MAC[k];
        }
        b[o + 12] = ETHERTYPE_EXP >>> 8;
        b[o + 13] = ETHERTYPE_EXP & 0xff;
        m.len = m.pkthdr.len = len;
        ifp.transmit(m);
      }
    },
    null,
  );
  let want = 0;
  const done = () => r.sink.received === want && r.sc.txInFlight === 0;
  return (packets) => {
    const before = r.sink.received;
    want = before;
    for (let i = 0; i < packets; i += BURST) {
      cpu.sched.schedule(sender);
      want += BURST;
      r.pump(done);
    }
    return check(r.sink.received - before, packets, r);
  };
}

/**
 * ICMP echo through the e1000 both ways: requests DMA'd in, answered by IPv4/ICMP (the same mbuf turned
 * around), transmitted by wm and gathered by the device onto the wire. Counts replies.
 */
export function echo(r: Rig, request: Uint8Array): (packets: number) => number {
  const len = request.length;
  let want = 0;
  // Every reply sent by IPv4 and reclaimed by txeof: the device has put it on the wire.
  const done = () => r.ipSent() === want && r.sc.txInFlight === 0;
  const burst = () => {
    wireBurst(r.port, request, len);
    want += BURST;
    r.pump(done);
  };
  return (packets) => {
    const before = r.ipSent();
    want = before;
    inBursts(packets, burst);
    return check(r.ipSent() - before, packets, r);
  };
}

function check(got: number, packets: number, r: Rig): number {
  const want = Math.ceil(packets / BURST) * BURST;
  if (got !== want) {
    throw new Error(`${want - got} of ${want} packets lost (drops ${JSON.stringify(r.sc.ifp.counters.drops)})`);
  }
  return got;
}

/** The paths the profiling and CPU-time scripts select by name. */
export const PATHS = ['echo', 'tx', 'sink', 'rx'] as const;
export type PathName = (typeof PATHS)[number];

/**
 * A rig made for `what` (with IPv4 for `echo` and `rx`) and its workload on `size`-byte packets: the one
 * place `bench/cpu-time.ts` and `bench/profile.ts` turn a path's name into what they run.
 */
export function pathWorkload(
  what: PathName,
  o: { clock: ClockKind; net?: 'low' | 'high'; size?: number },
): { rig: Rig; run: (packets: number) => number } {
  const size = o.size ?? 60;
  const net = o.net ?? 'low';
  const rig = makeRig({ clock: o.clock, inet: what === 'echo' || what === 'rx', net });
  const run =
    what === 'echo'
      ? echo(rig, echoRequestFrame(size, net))
      : what === 'tx'
        ? transmit(rig, size)
        : what === 'sink'
          ? receiveToSink(rig, sinkFrame(size))
          : receiveToSocket(rig, udpFrame(size));
  return { rig, run };
}
