/**
 * The ehea receive benchmark's parts: a rig per queue count (one host, one CPU, an 8-resource device with
 * N of them active), a receive loop that feeds the port bursts of frames from many flows and runs the CPU
 * until it is idle, and the reference loop measured next to it.
 *
 * Frames: 60-byte UDP/IPv4 datagrams of 1,024 different flows (source ports), so RSS spreads them over
 * every active queue. A burst is what arrives between two rounds of the CPU; with N queues each queue gets
 * about burst/N of it, so the figures show what multi-queue costs on *one* CPU: more interrupts, more
 * polls, smaller batches — the price of being able to spread the work over CPUs later.
 */
import { type Host, type Mbuf, RealTimeRunner, type WireEndpoint, alwaysUnmask, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { inetFor, registerInet, udpFor } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';
import { EheaDevice, type EheaDriver, ToeplitzHasher, registerEhea } from '../src/index.js';

export const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
export const FLOWS = 1024;

export interface Rig {
  host: Host;
  port: WireEndpoint;
  sc: EheaDriver;
  delivered: () => number;
}

/**
 * A host with one EHEA device (8 port resources) and `queues` of them active, up. `path`: `sink` — Ethernet
 * hands IPv4 to a protocol that frees it; `rx` — IPv4 and UDP up to a socket on port 9 whose receive
 * callback frees the datagram.
 */
export function rig(runner: RealTimeRunner, queues: number, path: 'sink' | 'rx' = 'sink'): Rig {
  const platform = createPlatform();
  registerEther(platform);
  registerEhea(platform, { queues, rxEntries: 256 });
  let delivered = 0;
  if (path === 'rx') registerInet(platform);
  else {
    platform.registerProtocol({
      name: 'bench-ipv4-sink',
      attach(host) {
        host.ethertypes.register(0x0800, 'bench-ipv4-sink', (m: Mbuf) => {
          delivered++;
          m.pool.freem(m);
        });
      },
    });
  }
  const host = platform.createHost({
    name: `bench-q${queues}`,
    runner,
    mitigationPolicy: alwaysUnmask,
    loopback: false,
    mbufs: { mbufs: 8192, clusters: 4096 },
  });
  const dev = new EheaDevice({ mac: MAC, queues: 8 });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as EheaDriver;
  const port = new FrameSink({ capture: false }).attach(dev);
  sc.ifp.upIf();
  if (path === 'rx') {
    inetFor(host).addAddress(sc.ifp, '10.0.0.1/24');
    udpFor(host)
      .socket({ receiveQueue: 1024, receiveBuffer: 2 * 1024 * 1024 }) // a whole burst fits while the callback waits its turn
      .bind(9)
      .onMessage((m: Mbuf) => {
        delivered++;
        m.pool.freem(m);
      });
  }
  return { host, port, sc, delivered: () => delivered };
}

/** `FLOWS` 60-byte UDP/IPv4 frames to `MAC`, one per source port, in one buffer (frame i at 64 × i). */
export function flowFrames(): Uint8Array {
  const all = new Uint8Array(FLOWS * 64);
  for (let i = 0; i < FLOWS; i++) {
    const f = all.subarray(i * 64, i * 64 + 60);
    f.set(MAC, 0);
    f.set([0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00, 0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0], 6);
    f.set([10, 0, 0, 2, 10, 0, 0, 1], 26);
    const sport = 10_000 + i;
    f.set([sport >>> 8, sport & 0xff, 0, 9, 0, 26], 34); // UDP checksum 0: none
    // IPv4 header checksum (RFC 1071), so the frames also pass a real IPv4 input.
    let sum = 0;
    for (let k = 14; k < 34; k += 2) sum += (f[k] << 8) | f[k + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    f[24] = (~sum >>> 8) & 0xff;
    f[25] = ~sum & 0xff;
  }
  return all;
}

/** `ops` frames in bursts of `burst`, flows in turn; after each burst the CPU runs until it is idle. */
export function receiveLoop(r: Rig, frames: Uint8Array, burst: number) {
  const cpu = r.host.cpu;
  const port = r.port;
  let flow = 0;
  return (ops: number): number => {
    const before = r.delivered();
    for (let i = 0; i < ops; ) {
      const k = Math.min(ops - i, burst);
      for (let j = 0; j < k; j++) {
        port.wireReceive(frames, flow * 64, 60);
        flow = flow + 1 === FLOWS ? 0 : flow + 1;
      }
      while (cpu.runUnit()) {
        /* interrupts, poll continuations */
      }
      i += k;
    }
    const got = r.delivered() - before;
    if (got !== ops) {
      throw new Error(`bench: ${ops - got} of ${ops} frames lost (${JSON.stringify(r.sc.ifp.counters.drops)})`);
    }
    return got;
  };
}

/**
 * The reference: the least a multi-queue receive path does per frame, fused by hand — hash the flow
 * (table Toeplitz over the IPv4 addresses and UDP ports), pick a queue from a 128-entry table, copy the
 * frame into that queue's next buffer (rings preallocated in one ArrayBuffer) and check the Ethernet
 * destination and type.
 */
export function referenceLoop(frames: Uint8Array, queues: number) {
  const hasher = new ToeplitzHasher();
  const table = Uint8Array.from({ length: 128 }, (_, i) => i % queues);
  const slots = 256;
  const arena = new ArrayBuffer(queues * slots * 2048);
  const rings = Array.from({ length: queues }, (_, q) =>
    Array.from({ length: slots }, (_, s) => new Uint8Array(arena, (q * slots + s) * 2048, 2048)),
  );
  const next = new Int32Array(queues);
  const views = Array.from({ length: FLOWS }, (_, i) => frames.subarray(i * 64, i * 64 + 60));
  let flow = 0;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const off = flow * 64;
      flow = flow + 1 === FLOWS ? 0 : flow + 1;
      const q = table[hasher.hashIpv4Ports(frames, off + 26, off + 34) & 127];
      const buf = rings[q][next[q]];
      next[q] = (next[q] + 1) & (slots - 1);
      buf.set(views[flow === 0 ? FLOWS - 1 : flow - 1]);
      if (buf[0] === MAC[0] && buf[5] === MAC[5] && buf[12] === 0x08 && buf[13] === 0x00) n++;
    }
    return n;
  };
}

export { RealTimeRunner };
