/**
 * The NE2000 receive benchmark: received packets per second through the whole PIO receive path, on the
 * real clock and the real CPU — the card stores each frame in its ring, the interrupt routine reads it out
 * by remote DMA through the data port into a pre-allocated mbuf and defers, the poll hands it to
 * `if_input`, Ethernet dispatches by ethertype and a protocol frees it — next to
 *
 * - the e1000 (`wm`) receive path measured in the same run (a DMA part: the device writes the frame into
 *   host memory itself, the driver only reaps descriptors), and
 * - a hand-fused reference doing the least a PIO receive must do: read a 4-byte header and copy the frame
 *   out of a ring of 256-byte pages into a preallocated buffer, then parse the Ethernet header.
 *
 * The traffic loop feeds a burst of frames straight into each card's wire port and then runs the CPU's
 * units until it is idle; no timer is involved (the policy always unmasks). A burst is what arrives
 * between two interrupts; the ne2000's ring holds 51 minimum frames or 8 full ones, so bursts stay within
 * that.
 *
 * @module
 */
import { type BenchCase, type BenchOptions, Bench } from '@ifnet/benchkit';
import {
  type Host,
  type Ifnet,
  type Mbuf,
  type Platform,
  RealTimeRunner,
  type WireEndpoint,
  alwaysUnmask,
  copyBytes,
  createPlatform,
} from '@ifnet/core';
import { E1000Device, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { FrameSink } from '@ifnet/wire';
import { Ne2000Device, registerNe2000 } from '../src/index.js';

const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const ETHERTYPE_EXP = 0x88b5;

interface Rig {
  host: Host;
  port: WireEndpoint;
  delivered: () => number;
  drops: () => Record<string, number>;
}

function platform(): { platform: Platform; delivered: () => number } {
  const p = createPlatform();
  registerEther(p);
  registerNe2000(p, { rxBuffers: 64 });
  registerE1000(p, { rxDescriptors: 256 });
  let delivered = 0;
  p.registerProtocol({
    name: 'bench-sink',
    attach(host) {
      host.ethertypes.register(ETHERTYPE_EXP, 'bench-sink', (m: Mbuf) => {
        delivered++;
        m.pool.freem(m);
      });
    },
  });
  return { platform: p, delivered: () => delivered };
}

function rig(runner: RealTimeRunner, kind: 'ne' | 'wm'): Rig {
  const { platform: p, delivered } = platform();
  const host = p.createHost({ name: `bench-${kind}`, runner, mitigationPolicy: alwaysUnmask, loopback: false });
  const dev = kind === 'ne' ? new Ne2000Device({ mac: MAC }) : new E1000Device({ mac: MAC });
  host.attachDevice(dev);
  const ifp = (host.autoconf()[0].driver as unknown as { ifp: Ifnet }).ifp;
  const port = new FrameSink({ capture: false }).attach(dev);
  ifp.upIf();
  return { host, port, delivered, drops: () => ifp.counters.drops };
}

function frame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(MAC, 0);
  f.set([0x02, 0, 0, 0, 0, 0x02], 6);
  f[12] = ETHERTYPE_EXP >>> 8;
  f[13] = ETHERTYPE_EXP & 0xff;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

/** `ops` frames in bursts of `burst`: each burst lands in the card, then the CPU runs until idle. */
function receiveLoop(r: Rig, f: Uint8Array, burst: number) {
  const cpu = r.host.cpu;
  const port = r.port;
  const len = f.length;
  return (ops: number): number => {
    const before = r.delivered();
    for (let i = 0; i < ops; ) {
      const k = Math.min(ops - i, burst);
      for (let j = 0; j < k; j++) port.wireReceive(f, 0, len);
      while (cpu.runUnit()) {
        /* interrupt (PIO drain), poll continuation(s) */
      }
      i += k;
    }
    const got = r.delivered() - before;
    if (got !== ops) throw new Error(`bench: ${ops - got} of ${ops} frames lost (${JSON.stringify(r.drops())})`);
    return got;
  };
}

/**
 * The reference: a ring of 256-byte pages holding `burst` copies of the frame, each after a 4-byte header
 * (as a DP8390 stores them); per frame, read the header, copy the frame out into the next preallocated
 * buffer, check the destination and the ethertype.
 */
function referenceLoop(f: Uint8Array, burst: number) {
  const pages = Math.ceil((f.length + 4) / 256);
  const ring = new Uint8Array(burst * pages * 256);
  for (let k = 0; k < burst; k++) {
    const h = k * pages * 256;
    ring[h] = 1;
    ring[h + 1] = (k + 1) * pages;
    ring[h + 2] = (f.length + 4) & 0xff;
    ring[h + 3] = (f.length + 4) >>> 8;
    ring.set(f, h + 4);
  }
  const slots = 64;
  const arena = new ArrayBuffer(slots * 2048);
  const bufs = Array.from({ length: slots }, (_, i) => new Uint8Array(arena, i * 2048, 2048));
  return (ops: number): number => {
    let n = 0;
    let page = 0;
    for (let i = 0; i < ops; i++) {
      if (i % burst === 0) page = 0;
      const h = page * 256;
      const len = (ring[h + 2] | (ring[h + 3] << 8)) - 4;
      const b = bufs[i & (slots - 1)];
      copyBytes(b, 2, ring, h + 4, len);
      page = ring[h + 1];
      if (b[2] === MAC[0] && b[7] === MAC[5] && ((b[14] << 8) | b[15]) === ETHERTYPE_EXP) n++;
    }
    return n;
  };
}

/** The benchmark's cases, grouped by frame size (each group next to its reference). */
export function rxGroups(
  runner: RealTimeRunner,
): { title: string; reference: BenchCase; cases: BenchCase[]; options: BenchOptions }[] {
  const ne = rig(runner, 'ne');
  const wm = rig(runner, 'wm');
  const small = frame(60);
  const large = frame(1514);
  return [
    {
      title: '60-byte frames (packets)',
      reference: {
        name: 'read header + copy out of a page ring + parse Ethernet header',
        fn: referenceLoop(small, 32),
      },
      cases: [
        { name: 'ne2000 (PIO), 32-frame bursts', fn: receiveLoop(ne, small, 32) },
        { name: 'e1000 (DMA), 32-frame bursts', fn: receiveLoop(wm, small, 32) },
        { name: 'ne2000 (PIO), 1 frame per interrupt', fn: receiveLoop(ne, small, 1) },
        { name: 'e1000 (DMA), 1 frame per interrupt', fn: receiveLoop(wm, small, 1) },
      ],
      options: { ops: 100_000 },
    },
    {
      title: '1514-byte frames (packets)',
      reference: { name: 'read header + copy out of a page ring + parse Ethernet header', fn: referenceLoop(large, 8) },
      cases: [
        { name: 'ne2000 (PIO), 8-frame bursts', fn: receiveLoop(ne, large, 8) },
        { name: 'e1000 (DMA), 8-frame bursts', fn: receiveLoop(wm, large, 8) },
      ],
      options: { ops: 20_000 },
    },
  ];
}

/** Runs and prints the receive benchmark. */
export function runRxBench(rounds = 7): void {
  const runner = new RealTimeRunner();
  const bench = new Bench(
    'ne2000 receive path: card ring -> PIO in the interrupt -> poll -> if_input -> ether -> protocol (frees)',
    {
      rounds,
    },
  );
  for (const g of rxGroups(runner)) bench.group(g.title, g.reference, g.cases, g.options);
  bench.run();
  runner.stop();
}
