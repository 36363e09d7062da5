/**
 * One host with an e1000 whose port is a frame sink — frames are handed to the device's port directly
 * and what it transmits is counted — on the virtual or the real clock, with the whole stack above it:
 * Ethernet with an experimental-ethertype sink, and (with `inet`) IPv4 at 10.0.0.1/24, a static ARP
 * entry for the peer 10.0.0.2, the ICMP echo responder and a UDP socket on port 9000 that frees what it
 * reads. With `net: 'high'` the addresses are 192.0.2.1 and 192.0.2.2 instead: at or above 128.0.0.0 an
 * address does not fit a small integer as an unsigned number, which is where a path can box it. Shared
 * by the benchmarks and the heap tests, so both measure the same path.
 */
import {
  type Host,
  type Mbuf,
  RealTimeRunner,
  Simulation,
  type WireEndpoint,
  alwaysUnmask,
  createPlatform,
} from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { arpFor, registerEther } from '@ifnet/ether';
import { cksumBytes, inetFor, parseAddr, pseudoHeaderSum, registerInet, udpFor } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';

export const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
export const PEER_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
export const US = parseAddr('10.0.0.1');
export const PEER = parseAddr('10.0.0.2');
/** The `net: 'high'` addresses (192.0.2.0/24, TEST-NET-1). */
export const US_HIGH = parseAddr('192.0.2.1');
export const PEER_HIGH = parseAddr('192.0.2.2');
/** Which addresses a rig uses (with `inet`): 10.0.0.1 and .2, or 192.0.2.1 and .2 (`'high'`). */
export type RigNet = 'low' | 'high';
/** Each {@link RigNet}'s addresses: ours (and as configured, with its prefix) and the peer's. */
export const NETS: Readonly<Record<RigNet, { readonly us: number; readonly peer: number; readonly prefix: string }>> = {
  low: { us: US, peer: PEER, prefix: '10.0.0.1/24' },
  high: { us: US_HIGH, peer: PEER_HIGH, prefix: '192.0.2.1/24' },
};
export const UDP_PORT = 9000;
export const ETHERTYPE_EXP = 0x88b5;

export type ClockKind = 'virtual' | 'real';

export interface Rig {
  host: Host;
  dev: E1000Device;
  sc: WmSoftc;
  /** The device's port: `port.wireReceive(frame, 0, len)` is a frame arriving from the wire. */
  port: WireEndpoint;
  /** What the device transmitted. */
  sink: FrameSink;
  /** Packets the Ethernet sink (0x88B5) freed. */
  sunk: () => number;
  /** UDP datagrams the socket read (with `inet`). */
  datagrams: () => number;
  /** IPv4 packets sent (with `inet`; echo replies here: ARP announcements are not IP). */
  ipSent: () => number;
  /** Runs the clock and the CPU until `done()`: 2 µs steps on the virtual clock, units on the real one. */
  pump: (done: () => boolean) => void;
  stop: () => void;
}

export interface RigOptions {
  clock: ClockKind;
  /** IPv4, ICMP, UDP socket, static ARP. Default false. */
  inet?: boolean;
  /** Which addresses (with `inet`). Default `'low'`. */
  net?: RigNet;
  /** Keep copies of transmitted frames in `sink.frames` (allocates: tests only). Default false. */
  capture?: boolean;
}

export function makeRig(o: RigOptions): Rig {
  const platform = createPlatform();
  registerEther(platform);
  if (o.inet === true) registerInet(platform);
  registerE1000(platform, { rxDescriptors: 256, txDescriptors: 256 });
  let sunk = 0;
  platform.registerProtocol({
    name: 'stack-sink',
    attach(host) {
      host.ethertypes.register(ETHERTYPE_EXP, 'stack-sink', (m: Mbuf) => {
        sunk++;
        m.pool.freem(m);
      });
    },
  });
  const sim = o.clock === 'virtual' ? new Simulation({ seed: 1 }) : null;
  const real = sim === null ? new RealTimeRunner() : null;
  const host = platform.createHost({
    name: `e1000-${o.clock}`,
    runner: sim ?? real!,
    mitigationPolicy: alwaysUnmask,
    loopback: false,
  });
  // A port far faster than gigabit: the model's wire pacing is not what is measured here.
  const dev = new E1000Device({ mac: MAC, linkSpeed: 1e12 });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as WmSoftc;
  const sink = new FrameSink({ capture: o.capture === true });
  const port = sink.attach(dev);
  sc.ifp.upIf();
  let datagrams = 0;
  const inet = o.inet === true ? inetFor(host) : null;
  if (inet !== null) {
    const net = NETS[o.net ?? 'low'];
    inet.addAddress(sc.ifp, net.prefix);
    arpFor(host).addStatic(sc.ifp, net.peer, PEER_MAC);
    udpFor(host)
      .socket({ receiveQueue: 512, receiveBuffer: 1 << 20 })
      .bind(UDP_PORT)
      .onMessage((m) => {
        datagrams++;
        m.pool.freem(m);
      });
  }
  const cpu = host.cpu;
  let pump: (done: () => boolean) => void;
  if (sim !== null) {
    pump = (done) => {
      for (let i = 0; !done(); i++) {
        if (i === 1_000_000) throw new Error('e1000 rig: the packets did not get through');
        sim.runFor(2_000);
      }
    };
  } else {
    const clk = real!.clock;
    pump = (done) => {
      for (let i = 0; !done(); i++) {
        if (i === 100_000_000) throw new Error('e1000 rig: the packets did not get through');
        if (!cpu.runUnit()) clk.advanceTo(clk.now());
      }
    };
  }
  return {
    host,
    dev,
    sc,
    port,
    sink,
    sunk: () => sunk,
    datagrams: () => datagrams,
    ipSent: inet !== null ? () => inet.stats.sent : () => 0,
    pump,
    stop: () => real?.stop(),
  };
}

/** An Ethernet frame of `len` bytes to us on the experimental ethertype. */
export function sinkFrame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(MAC, 0);
  f.set(PEER_MAC, 6);
  f[12] = ETHERTYPE_EXP >>> 8;
  f[13] = ETHERTYPE_EXP & 0xff;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

function ipv4(f: Uint8Array, proto: number, ipLen: number, src = PEER, dst = US): DataView {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  f.set(MAC, 0);
  f.set(PEER_MAC, 6);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, ipLen);
  v.setUint16(18, 1);
  f[22] = 64;
  f[23] = proto;
  v.setUint32(26, src);
  v.setUint32(30, dst);
  v.setUint16(24, ~cksumBytes(f, 14, 20) & 0xffff);
  return v;
}

/** An Ethernet + IPv4 + UDP frame of `len` bytes (at least 42) from the peer to our port, checksums correct. */
export function udpFrame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  const ulen = len - 34;
  const v = ipv4(f, 17, len - 14);
  v.setUint16(34, 40000);
  v.setUint16(36, UDP_PORT);
  v.setUint16(38, ulen);
  for (let i = 42; i < len; i++) f[i] = (i * 13) & 0xff;
  let s = ~cksumBytes(f, 34, ulen, pseudoHeaderSum(PEER, US, 17, ulen)) & 0xffff;
  if (s === 0) s = 0xffff;
  v.setUint16(40, s);
  return f;
}

/**
 * An ICMP echo request of `len` bytes (98: `ping`'s default 56 data bytes) from the peer to us (on the
 * `net` the rig was made with).
 */
export function echoRequestFrame(len = 98, net: RigNet = 'low'): Uint8Array {
  const f = new Uint8Array(len);
  const v = ipv4(f, 1, len - 14, NETS[net].peer, NETS[net].us);
  f[34] = 8; // echo request
  v.setUint16(38, 0x1234); // identifier
  v.setUint16(40, 1); // sequence
  for (let i = 42; i < len; i++) f[i] = i & 0xff;
  v.setUint16(36, ~cksumBytes(f, 34, len - 34) & 0xffff);
  return f;
}
