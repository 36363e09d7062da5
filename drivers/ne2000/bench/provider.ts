/**
 * The NE2000 packet paths as a benchkit {@link PacketBenchProvider} (`@ifnet/ne2000/bench`): what `ifnet
 * bench` and this package's `pnpm bench` measure, each next to its hand-fused reference.
 *
 * Cases: `sink` — the card stores each frame in its ring, the `ne` interrupt routine reads it out by
 * remote DMA through the data port into a pre-allocated mbuf and defers, the poll hands it to `if_input`,
 * Ethernet dispatches by ethertype to a protocol that frees it — at 60 bytes in 32-frame bursts and at
 * 1514 bytes in 8-frame bursts (what the card's 51-page ring holds between two interrupts); `rx`,
 * `rx_1514` — the same frames as UDP datagrams through IPv4 and UDP to a socket that frees them, next to
 * benchkit's fused UDP reference (copy, Ethernet dispatch, IPv4 checksum, UDP demux). The same keys
 * as the e1000's provider, so `ifnet bench` prints the PIO and the DMA part side by side. The traffic
 * loop drives the card through its wire port (`wireReceive`) and runs the CPU's units until it is idle,
 * on the real clock.
 *
 * @module
 */
import {
  FUSED_UDP_REFERENCE,
  type PacketBenchCase,
  type PacketBenchProvider,
  type UdpReferenceTarget,
  fusedUdpReference,
  udpReferenceFrame,
} from '@ifnet/benchkit';
import {
  type Host,
  type Mbuf,
  RealTimeRunner,
  type WireEndpoint,
  alwaysUnmask,
  copyBytes,
  createPlatform,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { inetFor, parseAddr, registerInet, udpFor } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';
import { Ne2000Device, type Ne2000Driver, registerNe2000 } from '../src/index.js';

const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const ETHERTYPE_EXP = 0x88b5;
/** Where the `rx` datagrams go: this card's host, 10.0.0.1, UDP port 9. */
const UDP_TARGET: UdpReferenceTarget = { mac: MAC, ip: parseAddr('10.0.0.1'), port: 9 };

export interface NeRig {
  host: Host;
  port: WireEndpoint;
  sc: Ne2000Driver;
  delivered: () => number;
}

/**
 * A host with one NE2000 whose port a frame sink feeds. `path`: `sink` — a protocol on 0x88B5 that frees;
 * `rx` — IPv4 (10.0.0.1/24) and UDP up to a socket on port 9 whose receive callback frees the datagram.
 */
export function neRig(runner: RealTimeRunner, name: string, path: 'sink' | 'rx' = 'sink'): NeRig {
  const platform = createPlatform();
  registerEther(platform);
  registerNe2000(platform, { rxBuffers: 64 });
  let delivered = 0;
  if (path === 'rx') registerInet(platform);
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
    name: `bench-ne-${name}`,
    runner,
    mitigationPolicy: alwaysUnmask,
    loopback: false,
  });
  const dev = new Ne2000Device({ mac: MAC });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as Ne2000Driver;
  const port = new FrameSink({ capture: false }).attach(dev);
  sc.ifp.upIf();
  if (path === 'rx') {
    inetFor(host).addAddress(sc.ifp, '10.0.0.1/24');
    udpFor(host)
      .socket({ receiveQueue: 1024, receiveBuffer: 2 * 1024 * 1024 }) // a whole burst fits while the callback waits its turn
      .bind(UDP_TARGET.port)
      .onMessage((m: Mbuf) => {
        delivered++;
        m.pool.freem(m);
      });
  }
  return { host, port, sc, delivered: () => delivered };
}

/** `ops` frames in bursts of `burst`: each burst lands in the card, then the CPU runs until idle. */
export function neReceiveLoop(r: NeRig, f: Uint8Array, burst: number) {
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
    if (got !== ops)
      throw new Error(`bench: ${ops - got} of ${ops} frames lost (${JSON.stringify(r.sc.ifp.counters.drops)})`);
    return got;
  };
}

/**
 * The reference: a ring of 256-byte pages holding `burst` copies of the frame, each after a 4-byte header
 * (as a DP8390 stores them); per frame, read the header, copy the frame out into the next preallocated
 * buffer, check the destination and the ethertype.
 */
export function pageRingReference(f: Uint8Array, burst: number) {
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

/** A frame to {@link MAC} on the experimental ethertype, `len` bytes. */
export function benchFrame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(MAC, 0);
  f.set([0x02, 0, 0, 0, 0, 0x02], 6);
  f[12] = ETHERTYPE_EXP >>> 8;
  f[13] = ETHERTYPE_EXP & 0xff;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

export const PAGE_RING_REFERENCE = 'read header + copy out of a page ring + parse Ethernet header';

/** The provider: one real-time runner and one host for all cases, stopped by `dispose`. */
export function ne2000BenchProvider(): PacketBenchProvider {
  let runner: RealTimeRunner | undefined;
  return {
    name: 'ne2000',
    cases(): PacketBenchCase[] {
      runner = new RealTimeRunner();
      const r = neRig(runner, 'sink');
      const small = benchFrame(60);
      const large = benchFrame(1514);
      const rx = neRig(runner, 'rx', 'rx');
      const udpSmall = udpReferenceFrame(60, UDP_TARGET);
      const udpLarge = udpReferenceFrame(1514, UDP_TARGET);
      return [
        {
          key: 'sink',
          frameLen: 60,
          name: 'ne (PIO) -> if_input -> ether -> sink, 32-frame bursts',
          run: neReceiveLoop(r, small, 32),
          reference: { name: PAGE_RING_REFERENCE, fn: pageRingReference(small, 32) },
          ops: 100_000,
        },
        {
          key: 'sink',
          frameLen: 1514,
          name: 'ne (PIO) -> if_input -> ether -> sink, 8-frame bursts',
          run: neReceiveLoop(r, large, 8),
          reference: { name: PAGE_RING_REFERENCE, fn: pageRingReference(large, 8) },
          ops: 20_000,
        },
        {
          key: 'rx',
          frameLen: 60,
          name: 'ne (PIO) -> if_input -> ether -> ip -> udp -> socket, 32-frame bursts',
          run: neReceiveLoop(rx, udpSmall, 32),
          reference: { name: FUSED_UDP_REFERENCE, fn: fusedUdpReference(udpSmall, UDP_TARGET) },
          ops: 100_000,
        },
        {
          key: 'rx',
          frameLen: 1514,
          name: 'ne (PIO) -> if_input -> ether -> ip -> udp -> socket, 8-frame bursts',
          run: neReceiveLoop(rx, udpLarge, 8),
          reference: { name: FUSED_UDP_REFERENCE, fn: fusedUdpReference(udpLarge, UDP_TARGET) },
          ops: 20_000,
        },
      ];
    },
    dispose(): void {
      runner?.stop();
    },
  };
}
