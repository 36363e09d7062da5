/**
 * The e1000 packet paths as a benchkit {@link PacketBenchProvider} (`bench/provider.ts`, workspace source): what
 * `ifnet bench` and this package's `pnpm bench` measure, each next to its hand-fused reference.
 *
 * Cases: `sink` — the e1000 model DMAs each frame into the ring, the wm interrupt routine defers, the poll
 * reaps and refills, `if_input` runs, Ethernet dispatches by ethertype to a protocol that frees the packet
 * — at 60 and 1514 bytes, in 64-frame bursts (what arrives between two interrupts). The traffic loop drives
 * the device through its wire port (`wireReceive`) and runs the CPU's units until it is idle, on the real
 * clock. Each case also measures a `basis`, interleaved, because its target is stated against it: the 60-byte
 * sink the fused receive loop (benchkit's `rx` reference), the 1514-byte sink the 60-byte sink path. (The `rx` path through IPv4 and UDP to a socket, and `echo`, are the e1000 package's to add here.)
 *
 * @module
 */
import {
  FUSED_UDP_REFERENCE,
  SMALL_FRAME_BASIS,
  type PacketBenchCase,
  type PacketBenchProvider,
  fusedUdpReference,
  udpReferenceFrame,
} from '@ifnet/benchkit';
import { type Host, type Mbuf, RealTimeRunner, type WireEndpoint, alwaysUnmask, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { FrameSink } from '@ifnet/wire';
import { E1000Device, type WmSoftc, registerE1000 } from '../src/index.js';

const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const ETHERTYPE_EXP = 0x88b5;

export interface Rig {
  host: Host;
  port: WireEndpoint;
  sc: WmSoftc;
  delivered: () => number;
}

export function rig(runner: RealTimeRunner, name: string): Rig {
  const platform = createPlatform();
  registerEther(platform);
  registerE1000(platform, { rxDescriptors: 256 });
  let delivered = 0;
  platform.registerProtocol({
    name: 'bench-sink',
    attach(host) {
      host.ethertypes.register(ETHERTYPE_EXP, 'bench-sink', (m: Mbuf) => {
        delivered++;
        m.pool.freem(m);
      });
    },
  });
  const host = platform.createHost({
    name: `bench-${name}`,
    runner,
    mitigationPolicy: alwaysUnmask,
    loopback: false,
  });
  const dev = new E1000Device({ mac: MAC });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as WmSoftc;
  const port = new FrameSink({ capture: false }).attach(dev);
  sc.ifp.upIf();
  return { host, port, sc, delivered: () => delivered };
}

export function frame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(MAC, 0);
  f.set([0x02, 0, 0, 0, 0, 0x02], 6);
  f[12] = ETHERTYPE_EXP >>> 8;
  f[13] = ETHERTYPE_EXP & 0xff;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

/** `ops` frames in bursts of `burst`: each burst is DMA'd by the device, then the CPU runs until idle. */
export function receiveLoop(r: Rig, f: Uint8Array, burst: number) {
  const cpu = r.host.cpu;
  const port = r.port;
  const len = f.length;
  return (ops: number): number => {
    const before = r.delivered();
    for (let i = 0; i < ops; ) {
      const k = Math.min(ops - i, burst);
      for (let j = 0; j < k; j++) port.wireReceive(f, 0, len);
      while (cpu.runUnit()) {
        /* interrupt, poll continuation(s) */
      }
      i += k;
    }
    const got = r.delivered() - before;
    if (got !== ops)
      throw new Error(`bench: ${ops - got} of ${ops} frames lost (${JSON.stringify(r.sc.ifp.counters.drops)})`);
    return got;
  };
}

/**
 * The reference: copy each frame into the next buffer of a ring preallocated in one ArrayBuffer (a memcpy:
 * `set` of the whole frame array, no view created), then parse the Ethernet header — destination is ours,
 * ethertype is the one we serve — and count it.
 */
export function referenceLoop(f: Uint8Array) {
  const slots = 256;
  const arena = new ArrayBuffer(slots * 2048);
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < slots; i++) bufs.push(new Uint8Array(arena, i * 2048, 2048));
  const m0 = MAC[0];
  const m1 = MAC[1];
  const m2 = MAC[2];
  const m3 = MAC[3];
  const m4 = MAC[4];
  const m5 = MAC[5];
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (slots - 1)];
      b.set(f);
      if (
        b[0] === m0 &&
        b[1] === m1 &&
        b[2] === m2 &&
        b[3] === m3 &&
        b[4] === m4 &&
        b[5] === m5 &&
        ((b[12] << 8) | b[13]) === ETHERTYPE_EXP
      ) {
        n++;
      }
    }
    return n;
  };
}

/** The provider: one real-time runner and one host for all cases, stopped by `dispose`. */
export function e1000BenchProvider(): PacketBenchProvider {
  let runner: RealTimeRunner | undefined;
  return {
    name: 'e1000',
    cases(): PacketBenchCase[] {
      runner = new RealTimeRunner();
      const r = rig(runner, 'sink');
      const small = frame(60);
      const large = frame(1514);
      const reference = 'copy into buffer ring + parse Ethernet header';
      // The fused receive loop, to its own host: the basis of the sink target (a ratio of that loop).
      const target = { mac: MAC, ip: 0x0a000001, port: 7 };
      const fused = { name: FUSED_UDP_REFERENCE, fn: fusedUdpReference(udpReferenceFrame(60, target), target) };
      return [
        {
          key: 'sink',
          frameLen: 60,
          name: 'wm -> if_input -> ether -> sink, 64-frame bursts',
          run: receiveLoop(r, small, 64),
          reference: { name: reference, fn: referenceLoop(small) },
          basis: fused,
          ops: 200_000,
        },
        {
          key: 'sink',
          frameLen: 1514,
          name: 'wm -> if_input -> ether -> sink, 64-frame bursts',
          run: receiveLoop(r, large, 64),
          reference: { name: reference, fn: referenceLoop(large) },
          // The 1514-byte target is a ratio of the 60-byte time: that path, interleaved.
          basis: { name: SMALL_FRAME_BASIS, fn: receiveLoop(r, small, 64) },
          ops: 40_000,
        },
      ];
    },
    dispose(): void {
      runner?.stop();
    },
  };
}
