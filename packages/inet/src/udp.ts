/**
 * UDP (RFC 768): input with checksum verification, sockets with bounded receive queues, output with
 * checksum generation, ephemeral ports, port unreachable, and a UDP echo service.
 *
 * ## Input
 *
 * {@link Udp.input} is registered for protocol 17 in the host's `ip-protocol` table. It checks the
 * length (`udp.tooshort`, `udp.badlen`: the UDP length must fit in the IP payload; extra IP payload after
 * it is trimmed), the checksum over the pseudo-header (`udp.badsum`; a zero checksum means the sender
 * computed none, RFC 768), and finds a socket: connected to exactly this peer first, then bound to the
 * destination address, then bound to any address. With none: an ICMP port unreachable goes back (rate
 * limited; never for broadcast or multicast, RFC 1122 4.1.3.1) and the datagram is dropped
 * (`udp.noport`, `udp.noport.bcast`).
 *
 * ## Sockets
 *
 * A socket queues received payloads on its receive buffer ({@link DatagramSockbuf}), with the addresses
 * recorded as it queues them (the reader never parses a header again), bounded in datagrams and in bytes
 * of storage (`SO_RCVBUF`, default 128 KiB): a full buffer drops (`udp.fullsock`), so one socket whose
 * application does not read can never pin more than its buffer. The application side runs as a *continuation
 * at `IPL_NONE`* — process level, below the network — scheduled when a datagram is queued: it hands each
 * datagram to the receive callback (the payload mbuf, which the callback then owns), or copies it out to
 * a pending {@link UdpSocket.recv}. A slow application therefore shows up as queue overflow, counted,
 * exactly as in a kernel.
 *
 * ```ts
 * const s = udpFor(host).socket();
 * s.bind(7);
 * s.onMessage((m, from) => s.sendTo(m, from.srcAddr, from.srcPort)); // echo: the mbuf goes back out
 * ```
 *
 * @module
 */
import {
  assertOwnMbuf,
  type Cpu,
  DropCounter,
  type Host,
  HostState,
  type Ifnet,
  LAYER_SOCKET,
  LAYER_UDP,
  M_BCAST,
  M_CSUM_TCP_UDP_BAD,
  M_CSUM_UDPv4,
  M_MCAST,
  type Mbuf,
  m_adj,
  m_freem,
  m_getByte,
  m_getUint16,
  m_getUint32,
  m_prepend,
  m_pullup,
} from '@ifnet/core';
import { INADDR_ANY, type InAddrLike, formatAddr } from './addr.js';
import { inCksum, pseudoHeaderSum } from './cksum.js';
import { UdpDrop, type UdpDropReason } from './drop-reasons.js';
import { InetError } from './errors.js';
import { ICMP_UNREACH, ICMP_UNREACH_PORT } from './icmp-header.js';
import type { Inet, IpOutputOptions } from './inet.js';
import { IPPROTO_UDP, IP_DST, IP_SRC } from './ip-header.js';
import { UdpStats } from './stats.js';
import { UDP_DPORT, UDP_HDR_LEN, UDP_SPORT, UDP_SUM, UDP_ULEN } from './udp-header.js';
import { type UdpSendOptions, UdpSocket, type UdpSocketOptions } from './udp-socket.js';

// The socket (its options, messages and counters) lives in its own module; the package's index exports
// this one, which passes those on.
export * from './udp-socket.js';

/** First ephemeral port (IANA dynamic range, RFC 6335). */
export const IPPORT_EPHEMERALFIRST = 49152;
/** Last ephemeral port. */
export const IPPORT_EPHEMERALLAST = 65535;
// The layers, header offsets and flags `udp_input` uses per datagram, as this module's own constants: V8
// (Node 20) folds a module's own `const` into an immediate but reads an imported one from the exporting
// module's cell, with a hole (TDZ) check, at every use (drivers/e1000's README).
const LAYER = LAYER_UDP;
const LAYER_SO = LAYER_SOCKET;
const HDR_LEN = UDP_HDR_LEN;
const SPORT_OFF = UDP_SPORT;
const ULEN_OFF = UDP_ULEN;
const SRC_OFF = IP_SRC;
const DST_OFF = IP_DST;
const CSUM_UDP = M_CSUM_UDPv4;
const CSUM_L4_BAD = M_CSUM_TCP_UDP_BAD;
const BCAST_MCAST = M_BCAST | M_MCAST;
/**
 * Source ports of the classic datagram reflectors (echo 7, daytime 13, qotd 17, chargen 19, time 37):
 * {@link udpEchoService} never answers them, so two reflectors cannot bounce a datagram between each
 * other forever (FreeBSD inetd's `check_loop`).
 */
export const UDP_REFLECTOR_PORTS: readonly number[] = Object.freeze([7, 13, 17, 19, 37]);

/** UDP on one host. Get it with {@link udpFor}. */
export class Udp {
  readonly host: Host;
  /** `host.cpu`, read once: the data path charges and preempts on it per datagram. */
  readonly cpu: Cpu;
  readonly inet: Inet;
  readonly stats = new UdpStats();
  /** Drop accounting: `stats.drops` and the interface, by {@link UdpDrop} reason. */
  readonly drop: DropCounter<UdpDropReason> = new DropCounter<UdpDropReason>(this.stats.drops);
  /** Sockets by local port. */
  private readonly ports = new Map<number, UdpSocket[]>();
  /**
   * The last lookup's answer (BSD's `udp_last_inpcb`, a one-entry PCB cache): datagrams of the flow seen
   * last find their socket with four compares of small integers, no map probe and no scoring. Keyed by
   * the whole 4-tuple (addresses signed, ports as `sport << 16 | dport`), since the answer depends on all
   * of it (a socket connected to the peer beats one bound to the address, which beats a wildcard). Only a
   * found socket is remembered. Forgotten ({@link forgetLookup}) whenever a socket is bound, connected or
   * unbound: the only changes that can change an answer.
   */
  private lastSock: UdpSocket | undefined = undefined;
  private lastDst = 0;
  private lastSrc = 0;
  private lastPorts = 0;
  private nextEphemeral = IPPORT_EPHEMERALFIRST;

  constructor(inet: Inet) {
    this.inet = inet;
    this.host = inet.host;
    this.cpu = inet.host.cpu;
    inet.onAddressRemoved((ia) => this.addressRemoved(ia.addr));
  }

  /**
   * An address of ours went away (removed, or its interface detached). Sockets bound to it stay bound, as
   * in BSD, but are told (`bad-address` to their error callback, or to a pending `recv`); their sends
   * then fail with `bad-address` (EADDRNOTAVAIL) until they are closed.
   */
  private addressRemoved(addr: number): void {
    for (const list of this.ports.values()) {
      for (const s of list) {
        if (s.localAddress === addr) s.reportError(new InetError('bad-address', `${formatAddr(addr)} was removed`));
      }
    }
  }

  /** A new, unbound socket. */
  socket(options: UdpSocketOptions = {}): UdpSocket {
    return new UdpSocket(this, options);
  }

  /** Sockets currently bound. */
  sockets(): UdpSocket[] {
    return [...this.ports.values()].flat();
  }

  private conflicts(port: number, addr: number): boolean {
    const list = this.ports.get(port);
    if (list === undefined) return false;
    for (const s of list)
      if (s.localAddress === INADDR_ANY || addr === INADDR_ANY || s.localAddress === addr) return true;
    return false;
  }

  /** @internal Binds `s` to `port` (0: ephemeral) and `addr`. */
  attach(s: UdpSocket, port: number, addr: number): void {
    let p = port;
    if (p === 0) {
      const span = IPPORT_EPHEMERALLAST - IPPORT_EPHEMERALFIRST + 1;
      for (let i = 0; i < span; i++) {
        const candidate = this.nextEphemeral;
        this.nextEphemeral = candidate === IPPORT_EPHEMERALLAST ? IPPORT_EPHEMERALFIRST : candidate + 1;
        if (!this.conflicts(candidate, addr)) {
          p = candidate;
          break;
        }
      }
      if (p === 0) throw new InetError('no-ports', 'no free ephemeral port');
    } else if (this.conflicts(p, addr)) {
      throw new InetError('addr-in-use', `port ${p} is in use on ${formatAddr(addr)}`);
    }
    let list = this.ports.get(p);
    if (list === undefined) {
      list = [];
      this.ports.set(p, list);
    }
    list.push(s);
    s.localPort = p;
    s.localAddress = addr;
    this.forgetLookup();
  }

  /** @internal Unbinds `s`. */
  detach(s: UdpSocket): void {
    this.forgetLookup();
    const list = this.ports.get(s.localPort);
    if (list === undefined) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ports.delete(s.localPort);
  }

  /**
   * `in_pcblookup`: the socket for a datagram to `dst`:`dport` from `src`:`sport` — connected to exactly
   * that peer first, then bound to `dst`, then bound to any address. Allocation-free.
   */
  lookup(dst: number, dport: number, src: number, sport: number): UdpSocket | undefined {
    // Compared as int32 (`| 0`), so either representation of an address matches.
    dst |= 0;
    src |= 0;
    const ports = (sport << 16) | dport;
    const last = this.lastSock;
    if (ports === this.lastPorts && src === this.lastSrc && dst === this.lastDst && last !== undefined) return last;
    return this.lookupScored(dst, dport, src, sport, ports);
  }

  /**
   * {@link lookup} past its one-entry cache: the port's sockets scored, the answer remembered. Out of line
   * so that what `udp_input` inlines of `lookup` is the cache compare alone: V8 inlines up to a total
   * bytecode budget per optimised function, and with this loop inlined as well the socket buffer's
   * `append` no longer fit and stayed a call per datagram.
   */
  private lookupScored(dst: number, dport: number, src: number, sport: number, ports: number): UdpSocket | undefined {
    const list = this.ports.get(dport);
    if (list === undefined) return undefined;
    let best: UdpSocket | undefined;
    let bestScore = -1;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.localAddress !== INADDR_ANY && (s.localAddress | 0) !== dst) continue;
      if (s.remotePort !== 0 && ((s.remoteAddress | 0) !== src || s.remotePort !== sport)) continue;
      const score = (s.localAddress !== INADDR_ANY ? 1 : 0) + (s.remotePort !== 0 ? 2 : 0);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    if (best !== undefined) {
      this.lastSock = best;
      this.lastDst = dst;
      this.lastSrc = src;
      this.lastPorts = ports;
    }
    return best;
  }

  /** @internal A socket was bound, connected or unbound: the cached {@link lookup} answer may be wrong. */
  forgetLookup(): void {
    this.lastSock = undefined;
  }

  /**
   * `udp_input`: the `pr_input` of protocol 17; the IP header (`off` bytes) is in front, contiguous, and
   * the packet is trimmed to the IP total length. **Owns `m`**: queued on a socket or freed and counted.
   * Never throws for any content of `m`.
   */
  readonly input = (m: Mbuf, off: number, ifp: Ifnet): void => {
    // LAYER_UDP is charged on every exit, not here: on the way to a socket together with LAYER_SOCKET
    // (one charge of both, see below), on the others by `refuse` before anything else happens.
    const st = this.stats;
    st.received++;
    const ipPayload = m.pkthdr.len - off;
    if (ipPayload < HDR_LEN) {
      this.refuse(m, ifp, UdpDrop.tooShort);
      return;
    }
    if (m.len < off + HDR_LEN) {
      const n = m_pullup(m, off + HDR_LEN);
      if (n === null) {
        this.cpu.chargeLayerId(LAYER_UDP);
        this.drop.countInput(ifp, UdpDrop.pullup);
        return;
      }
      m = n;
    }
    const o = m.off;
    const v = m.view;
    // The UDP header as its two 32-bit words (ports; length and checksum): two loads, not eight.
    const ports = v.getInt32(o + off + SPORT_OFF);
    const lenSum = v.getInt32(o + off + ULEN_OFF);
    const ulen = lenSum >>> 16;
    if (ulen < HDR_LEN || ulen > ipPayload) {
      this.refuse(m, ifp, UdpDrop.badLen);
      return;
    }
    if (ulen < ipPayload) m_adj(m, ulen - ipPayload);
    // Addresses as int32 on the data path: a small integer to V8 (a uint32 above 2^31 is a heap number).
    const src = v.getInt32(o + SRC_OFF);
    const dst = v.getInt32(o + DST_OFF);
    if ((lenSum & 0xffff) !== 0) {
      const csum = m.pkthdr.csumFlags;
      if ((csum & CSUM_UDP) !== 0) {
        if ((csum & CSUM_L4_BAD) !== 0) {
          this.refuse(m, ifp, UdpDrop.badSum);
          return;
        }
      } else if (this.softwareSumBad(m, off, ulen, src, dst)) {
        this.refuse(m, ifp, UdpDrop.badSum);
        return;
      }
    } else {
      st.noChecksum++;
    }
    const sport = ports >>> 16;
    const dport = ports & 0xffff;
    const s = this.lookup(dst, dport, src, sport);
    if (s === undefined) {
      if ((m.flags & BCAST_MCAST) !== 0) {
        this.refuse(m, ifp, UdpDrop.noPortBcast);
        return;
      }
      this.cpu.chargeLayerId(LAYER_UDP); // before the error's output reads the clock
      this.inet.icmp?.error(m, ICMP_UNREACH, ICMP_UNREACH_PORT, ifp);
      this.drop.dropInput(m, ifp, UdpDrop.noPort);
      return;
    }
    // Nothing since the start read the clock (checks, a cache compare, no preemption point), so both
    // layers are charged here as one: the same sums in the same order as a charge at the start and one
    // in `sbappendaddr`, with the CPU's tally looked up once.
    this.cpu.chargeLayerIds2(LAYER, LAYER_SO);
    s.deliver(m, ifp, off + HDR_LEN, src, sport, dst, dport);
  };

  /**
   * The checksum over the pseudo-header and datagram, for a datagram without the NIC's verdict. Out of
   * line, as is {@link lookupScored}, to keep the summing loops out of `udp_input`'s inlining budget.
   */
  private softwareSumBad(m: Mbuf, off: number, ulen: number, src: number, dst: number): boolean {
    return inCksum(m, off, ulen, pseudoHeaderSum(src, dst, IPPROTO_UDP, ulen)) !== 0;
  }

  /** A datagram `udp_input` refuses: LAYER_UDP charged, as for every datagram, then dropped and counted. */
  private refuse(m: Mbuf, ifp: Ifnet, reason: UdpDropReason): void {
    this.cpu.chargeLayerId(LAYER);
    this.drop.dropInput(m, ifp, reason);
  }

  /**
   * `udp_ctlinput`: an ICMP error quoting a datagram we sent (quoted IP header at `off` in `m`, borrowed).
   * Reported to the socket connected to that peer, as BSD does (an unconnected socket cannot tell which
   * of its sends failed).
   */
  readonly ctlInput = (type: number, code: number, m: Mbuf, off: number): void => {
    const qhlen = (m_getByte(m, off) & 0x0f) << 2;
    const qsrc = m_getUint32(m, off + IP_SRC);
    const qdst = m_getUint32(m, off + IP_DST);
    const sport = m_getUint16(m, off + qhlen + UDP_SPORT);
    const dport = m_getUint16(m, off + qhlen + UDP_DPORT);
    const list = this.ports.get(sport);
    if (list === undefined) return;
    for (const s of list) {
      if (
        s.remoteAddress === qdst &&
        s.remotePort === dport &&
        (s.localAddress === INADDR_ANY || s.localAddress === qsrc)
      ) {
        s.reportError(
          new InetError(
            'unreachable',
            `ICMP type ${type} code ${code} from ${formatAddr(qdst)}:${dport} (port ${sport})`,
          ),
        );
        return;
      }
    }
  };

  /**
   * `udp_output`: prepends the UDP header to payload `m`, computes the checksum with the pseudo-header of
   * `src` → `dst` and hands the datagram to IP. **Takes ownership of `m` in every case.**
   */
  output(
    m: Mbuf,
    src: number,
    sport: number,
    dst: number,
    dport: number,
    opts: IpOutputOptions,
  ): ReturnType<Inet['output']> {
    this.host.cpu.chargeLayerId(LAYER_UDP);
    assertOwnMbuf(this.host, m, 'udp_output');
    const n = m_prepend(m, UDP_HDR_LEN);
    if (n === null) {
      this.drop.count(UdpDrop.outputNoBufs);
      return 'nobufs';
    }
    const ulen = n.pkthdr.len;
    const b = n.buf;
    const o = n.off;
    b[o + UDP_SPORT] = sport >>> 8;
    b[o + UDP_SPORT + 1] = sport & 0xff;
    b[o + UDP_DPORT] = dport >>> 8;
    b[o + UDP_DPORT + 1] = dport & 0xff;
    b[o + UDP_ULEN] = ulen >>> 8;
    b[o + UDP_ULEN + 1] = ulen & 0xff;
    b[o + UDP_SUM] = 0;
    b[o + UDP_SUM + 1] = 0;
    let sum = inCksum(n, 0, ulen, pseudoHeaderSum(src, dst, IPPROTO_UDP, ulen));
    if (sum === 0) sum = 0xffff;
    b[o + UDP_SUM] = sum >>> 8;
    b[o + UDP_SUM + 1] = sum & 0xff;
    this.stats.sent++;
    return this.inet.output(n, src, dst, IPPROTO_UDP, opts);
  }
}

/** Each host's {@link Udp}, in its DI container. */
export const UDP_STATE: HostState<Udp> = new HostState<Udp>(
  '@ifnet/inet:UDP',
  "@ifnet/inet's udp module is not attached (call registerInet(platform) before createHost)",
);
/** Token under which each host's {@link Udp} is registered in its DI container. */
export const UDP: symbol = UDP_STATE.token;

/** The UDP instance of a host (throws, naming the fix, when the `udp` module is not attached). */
export function udpFor(host: Host): Udp {
  return UDP_STATE.of(host);
}

/**
 * A UDP echo service (RFC 862) on `port`: every datagram goes back to its sender, from the address it was
 * sent to, reusing the received mbuf. Returns the socket (close it to stop the service). Send errors
 * (no route back, say) are counted in the socket's `stats.errors`.
 *
 * It cannot be made a loop or an amplifier: a datagram sent to a broadcast or multicast address (one
 * request, many answers), from source port 0, or from one of the {@link UDP_REFLECTOR_PORTS} (another
 * echo or chargen service: an endless ping-pong) is not answered, counted `udp.echo.refused`. Illegal
 * sources (our broadcast addresses, multicast, 0.0.0.0, loopback from outside) never get this far: IPv4
 * input drops them (RFC 1122 3.2.1.3).
 */
export function udpEchoService(host: Host, port = 7, addr: InAddrLike = INADDR_ANY): UdpSocket {
  const udp = udpFor(host);
  const s = udp.socket();
  s.bind(port, addr);
  const opts: UdpSendOptions = {};
  s.onMessage((m, from) => {
    if (!udp.inet.isLocal(from.dstAddr) || from.srcPort === 0 || UDP_REFLECTOR_PORTS.includes(from.srcPort)) {
      if (from.ifp !== null) udp.drop.dropInput(m, from.ifp, UdpDrop.echoRefused);
      else {
        udp.drop.count(UdpDrop.echoRefused);
        m_freem(m);
      }
      return;
    }
    opts.src = from.dstAddr;
    try {
      s.sendTo(m, from.srcAddr, from.srcPort, opts);
    } catch {
      s.stats.errors++;
    }
  });
  return s;
}
