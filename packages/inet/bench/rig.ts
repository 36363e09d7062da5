/**
 * The protocol-path rig shared by the benchmark and the heap tests: one host (virtual or real clock) with
 * a dummy Ethernet interface — frames are injected straight into `ifp.input`, and what the stack sends
 * is taken off the send queue by the interface's `start` and freed (a sink NIC) — IPv4 on it, a static
 * ARP entry for the peer (no resolution in the measured path), and a UDP socket whose receive callback
 * frees each datagram. Frames are copied in with `m_devget`, as a PIO driver would.
 */
import {
  Continuation,
  type Host,
  IPL_NONE,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFT_ETHER,
  type Ifnet,
  RealTimeRunner,
  type Runner,
  Simulation,
  createPlatform,
} from '@ifnet/core';
import { arpFor, registerEther } from '@ifnet/ether';
import { cksumBytes, formatAddr, inetFor, parseAddr, pseudoHeaderSum, registerInet, udpFor } from '../src/index.js';

export const MAC = Uint8Array.from([0x02, 0, 0, 0, 0, 0x01]);
export const PEER_MAC = Uint8Array.from([0x02, 0, 0, 0, 0, 0x02]);
export const US = parseAddr('10.0.0.1');
export const PEER = parseAddr('10.0.0.2');
export const PORT = 9000;
/** Ethernet + IPv4 + UDP/ICMP header bytes in front of the payload. */
export const HDRS = 42;

/**
 * The same rig on 192.168.0.0/24: addresses above 2^31, which V8 holds as heap numbers unless the code
 * keeps them as int32 (`| 0`) — the heap tests run both.
 */
export const HIGH = { us: parseAddr('192.168.0.1'), peer: parseAddr('192.168.0.2') };

/** Ethernet + IPv4 header of a frame from `peer` to `us`, protocol `proto`, `ipPayload` bytes after it. */
function ethIp(ipPayload: number, proto: number, us = US, peer = PEER): Uint8Array {
  const ipLen = 20 + ipPayload;
  const f = new Uint8Array(14 + ipLen);
  const v = new DataView(f.buffer);
  f.set(MAC, 0);
  f.set(PEER_MAC, 6);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, ipLen);
  v.setUint16(18, 1);
  f[22] = 64;
  f[23] = proto;
  v.setUint32(26, peer);
  v.setUint32(30, us);
  v.setUint16(24, ~cksumBytes(f, 14, 20) & 0xffff);
  return f;
}

/** An Ethernet + IPv4 + UDP frame with `payload` bytes to {@link PORT}, all checksums correct. */
export function udpFrame(payload: number, us = US, peer = PEER): Uint8Array {
  const ulen = 8 + payload;
  const f = ethIp(ulen, 17, us, peer);
  const v = new DataView(f.buffer);
  v.setUint16(34, 40000);
  v.setUint16(36, PORT);
  v.setUint16(38, ulen);
  for (let i = 0; i < payload; i++) f[42 + i] = (i * 13) & 0xff;
  let s = ~cksumBytes(f, 34, ulen, pseudoHeaderSum(peer, us, 17, ulen)) & 0xffff;
  if (s === 0) s = 0xffff;
  v.setUint16(40, s);
  return f;
}

/** An Ethernet + IPv4 + ICMP echo request frame with `size` data bytes. */
export function echoFrame(size: number): Uint8Array {
  const f = ethIp(8 + size, 1);
  const v = new DataView(f.buffer);
  f[34] = 8;
  v.setUint32(38, 0x12340001);
  for (let i = 0; i < size; i++) f[42 + i] = i & 0xff;
  v.setUint16(36, ~cksumBytes(f, 34, 8 + size) & 0xffff);
  return f;
}

export interface Rig {
  runner: Runner;
  host: Host;
  ifp: Ifnet;
  /** UDP payload bytes handed to the receive callback so far. */
  delivered(): number;
  /** Frames the stack sent (taken off the send queue by the sink NIC). */
  sent(): number;
  /**
   * Injects `n` copies of `frame` (each copied in with `m_devget`) and runs what they scheduled. With
   * `idleWork`, a no-op process-level continuation is pending during the loop, as the socket's is while
   * datagrams queue (so a baseline run sees the same scheduler state at its preemption points). With
   * `csumFlags`, each packet carries that hardware checksum verdict (`pkthdr.csumFlags`), as a NIC with
   * receive checksum offload marks it (the e1000's `M_CSUM_IPv4 | M_CSUM_UDPv4`).
   */
  inject(frame: Uint8Array, n: number, idleWork?: boolean, csumFlags?: number): void;
  /** Stops the real-time runner (so the process can exit); nothing on the virtual clock. */
  stop(): void;
}

/** Builds the rig on the virtual clock (`'virtual'`) or the real one (`'real'`: call `runner.stop()` after). */
export function rig(clock: 'virtual' | 'real' = 'virtual', us = US, peer = PEER): Rig {
  const real = clock === 'real' ? new RealTimeRunner() : null;
  const runner: Runner = real ?? new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  const host = platform.createHost({ name: 'bench', runner });
  let sent = 0;
  const ifp = host.ifAttach({
    name: 'dummy',
    ifType: IFT_ETHER,
    lladdr: MAC,
    flags: IFF_BROADCAST | IFF_MULTICAST,
    ops: {
      init() {},
      stop() {},
      start(i) {
        for (let m = i.sendQueue.dequeue(i); m !== null; m = i.sendQueue.dequeue(i)) {
          sent++;
          m.pool.freem(m);
        }
      },
    },
  });
  ifp.upIf();
  inetFor(host).addAddress(ifp, `${formatAddr(us)}/24`);
  arpFor(host).addStatic(ifp, peer, PEER_MAC);
  let delivered = 0;
  udpFor(host)
    .socket({ receiveQueue: 256, receiveBuffer: 1024 * 1024 }) // a batch of 64 full-size datagrams fits
    .bind(PORT)
    .onMessage((m) => {
      delivered += m.pkthdr.len;
      m.pool.freem(m);
    });
  const pool = host.pool;
  const cpu = host.cpu;
  const noop = new Continuation<null>('bench.noop', IPL_NONE, () => {}, null);
  return {
    runner,
    host,
    ifp,
    delivered: () => delivered,
    sent: () => sent,
    stop: () => real?.stop(),
    inject(frame, n, idleWork = false, csumFlags = 0) {
      if (idleWork) cpu.sched.schedule(noop);
      for (let i = 0; i < n; i++) {
        const m = pool.devget(frame, 0, frame.length, null)!;
        m.pkthdr.csumFlags = csumFlags;
        ifp.input(m);
      }
      // The application continuation (IPL_NONE) runs the receive callbacks.
      while (cpu.runUnit()) {
        /* drain */
      }
    },
  };
}
