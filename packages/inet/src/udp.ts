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
  Continuation,
  type Cpu,
  DropCounter,
  type Host,
  HostState,
  IPL_NONE,
  type Ifnet,
  LAYER_SOCKET,
  LAYER_UDP,
  M_BCAST,
  M_CSUM_TCP_UDP_BAD,
  M_CSUM_UDPv4,
  M_MCAST,
  M_PKTHDR,
  Mbuf,
  m_adj,
  m_copydata,
  m_freem,
  m_getByte,
  m_getUint16,
  m_getUint32,
  m_prepend,
  m_pullup,
} from '@ifnet/core';
import { INADDR_ANY, type InAddrLike, formatAddr, isMulticast, toAddr } from './addr.js';
import { inCksum, pseudoHeaderSum } from './cksum.js';
import { InetError } from './errors.js';
import { ICMP_UNREACH, ICMP_UNREACH_PORT } from './icmp-header.js';
import type { Inet, IpOutputOptions } from './inet.js';
import { IPPROTO_UDP, IP_DST, IP_HDR_LEN, IP_MAXPACKET, IP_SRC } from './ip-header.js';
import { UdpDrop, type UdpDropReason } from './drop-reasons.js';
import { type DatagramAddrs, DatagramSockbuf, SOCKBUF_MAX, UDP_DEFAULT_RCVBUF } from './sockbuf.js';
import { UdpStats } from './stats.js';
import { checkUint } from './validate.js';
import { UDP_DPORT, UDP_HDR_LEN, UDP_SPORT, UDP_SUM, UDP_ULEN } from './udp-header.js';

/** First ephemeral port (IANA dynamic range, RFC 6335). */
export const IPPORT_EPHEMERALFIRST = 49152;
/** Last ephemeral port. */
export const IPPORT_EPHEMERALLAST = 65535;
/** Largest UDP payload: 65535 - 20 (IP) - 8 (UDP). */
export const UDP_MAX_PAYLOAD = IP_MAXPACKET - IP_HDR_LEN - UDP_HDR_LEN;
/** Default receive queue length, in datagrams. */
export const UDP_DEFAULT_RECEIVE_QUEUE = 128;
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
/** Largest receive queue length, in datagrams. */
export const UDP_MAX_RECEIVE_QUEUE = 65536;
/** Default SO_SNDBUF: the largest datagram `send` accepts (BSD: EMSGSIZE above it). */
export const UDP_DEFAULT_SNDBUF = UDP_MAX_PAYLOAD;
/**
 * Source ports of the classic datagram reflectors (echo 7, daytime 13, qotd 17, chargen 19, time 37):
 * {@link udpEchoService} never answers them, so two reflectors cannot bounce a datagram between each
 * other forever (FreeBSD inetd's `check_loop`).
 */
export const UDP_REFLECTOR_PORTS: readonly number[] = Object.freeze([7, 13, 17, 19, 37]);
/** Datagrams the application continuation handles per run before yielding. */
const APP_BUDGET = 64;
/** Headroom left in front of payloads copied in by `send`, for the UDP, IP and link headers. */
const HEADROOM = 64;

/** Where a received datagram came from and went to (addresses unsigned). */
export interface UdpRecvInfo extends DatagramAddrs {
  /** Receiving interface. */
  ifp: Ifnet | null;
}

/** A datagram as {@link UdpSocket.recv} returns it: the payload copied out. */
export interface UdpMessage extends UdpRecvInfo {
  data: Uint8Array;
}

/**
 * Receive callback. **`m` (the payload, headers trimmed) belongs to the callback**: free it, keep it, or
 * send it back out. `info` is reused for the next datagram: copy what you keep.
 */
export type UdpReceiveCallback = (m: Mbuf, info: UdpRecvInfo) => void;

/** Socket options. */
export interface UdpSocketOptions {
  /** Receive queue length in datagrams, 1..65536. Default 128. */
  receiveQueue?: number;
  /** SO_RCVBUF: receive buffer in bytes of storage, 1..{@link SOCKBUF_MAX}. Default {@link UDP_DEFAULT_RCVBUF}. */
  receiveBuffer?: number;
  /** SO_SNDBUF: the largest payload `send` accepts, 1..65507. Default 65507. */
  sendBuffer?: number;
  /**
   * Input feedback (Mogul & Ramakrishnan's cure for receive livelock): when the receive queue fills, hold
   * input processing of the interface the datagram came in on ({@link Ifnet.holdInput}) instead of
   * letting the CPU process datagrams that would die here (full by either bound: datagram count or
   * SO_RCVBUF bytes); release it when the application has drained the queue. The NIC drops the excess
   * meanwhile (its own counter). Other traffic on that interface waits too, so enable it for a socket
   * that dominates its interface. One interface is held at a time; datagrams from others arriving at a
   * full queue are dropped (`udp.fullsock`). Default false.
   */
  inputFeedback?: boolean;
}

/** Per-send options. */
export interface UdpSendOptions {
  /** Source address (one of ours). Default: the bound address, else chosen by the route. */
  src?: InAddrLike;
}

/** Socket counters. */
export interface UdpSocketStats {
  /** Datagrams queued. */
  received: number;
  /** Datagrams dropped because the receive buffer was full (datagram count or SO_RCVBUF bytes). */
  dropped: number;
  /** Datagrams handed to IP. */
  sent: number;
  /** ICMP errors reported for this socket. */
  errors: number;
  /** Input holds taken by {@link UdpSocketOptions.inputFeedback}. */
  inputHolds: number;
}

function checkPort(port: number, allowZero: boolean): void {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new InetError('bad-address', `bad port ${port}`);
  }
}

/** A UDP socket (`struct inpcb` + `struct socket` for datagrams). Create with {@link Udp.socket}. */
export class UdpSocket {
  readonly udp: Udp;
  /** Bound address (0: any). */
  localAddress = INADDR_ANY;
  /** Bound port (0: not bound). */
  localPort = 0;
  /** Connected peer (0: not connected). */
  remoteAddress = INADDR_ANY;
  remotePort = 0;
  private ttlValue: number | undefined;
  private dfValue = false;
  private sndbuf: number;
  readonly stats: UdpSocketStats = { received: 0, dropped: 0, sent: 0, errors: 0, inputHolds: 0 };
  /** The last ICMP error reported for this (connected) socket, until a `recv` consumes it. */
  lastError: InetError | null = null;
  private closedFlag = false;
  private readonly sb: DatagramSockbuf;
  private readonly feedback: boolean;
  /** The interface whose input this socket holds (input feedback), or null. */
  private heldIfp: Ifnet | null = null;
  private callback: UdpReceiveCallback | undefined;
  private errorCallback: ((err: InetError) => void) | undefined;
  private readonly waiters: { resolve: (m: UdpMessage) => void; reject: (e: InetError) => void }[] = [];
  private readonly kc: Continuation<UdpSocket>;
  private readonly info: UdpRecvInfo = { srcAddr: 0, srcPort: 0, dstAddr: 0, dstPort: 0, ifp: null };
  private readonly out: IpOutputOptions = { ttl: undefined, df: false };

  constructor(udp: Udp, options: UdpSocketOptions = {}) {
    this.udp = udp;
    const q = checkUint(
      'UDP receiveQueue',
      options.receiveQueue ?? UDP_DEFAULT_RECEIVE_QUEUE,
      1,
      UDP_MAX_RECEIVE_QUEUE,
    );
    const rcv = checkUint('UDP SO_RCVBUF', options.receiveBuffer ?? UDP_DEFAULT_RCVBUF, 1, SOCKBUF_MAX);
    this.sndbuf = checkUint('UDP SO_SNDBUF', options.sendBuffer ?? UDP_DEFAULT_SNDBUF, 1, UDP_MAX_PAYLOAD);
    this.sb = new DatagramSockbuf(q, rcv);
    this.feedback = options.inputFeedback ?? false;
    this.kc = new Continuation<UdpSocket>(`${udp.host.name}.udp.app`, IPL_NONE, (s) => s.drain(), this as UdpSocket);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Datagrams waiting in the receive queue. */
  get queued(): number {
    return this.sb.length;
  }

  /** Bytes of storage (mbuf and cluster capacity) the queued datagrams pin (`sb_mbcnt`). */
  get queuedBytes(): number {
    return this.sb.held;
  }

  /** SO_RCVBUF: the receive buffer bound in bytes of storage (see {@link DatagramSockbuf}). */
  get receiveBuffer(): number {
    return this.sb.hiwat;
  }

  /**
   * `setsockopt(SO_RCVBUF)`: an integer in 1..{@link SOCKBUF_MAX}, else {@link InetError} `invalid`. A
   * smaller value does not drop what is queued; it refuses new datagrams until the queue drains below it.
   */
  set receiveBuffer(bytes: number) {
    this.sb.hiwat = checkUint('UDP SO_RCVBUF', bytes, 1, SOCKBUF_MAX);
  }

  /** SO_SNDBUF: the largest payload a send accepts (larger ones throw `msgsize`, as BSD's EMSGSIZE). */
  get sendBuffer(): number {
    return this.sndbuf;
  }

  /** `setsockopt(SO_SNDBUF)`: an integer in 1..65507, else {@link InetError} `invalid`. */
  set sendBuffer(bytes: number) {
    this.sndbuf = checkUint('UDP SO_SNDBUF', bytes, 1, UDP_MAX_PAYLOAD);
  }

  /** TTL of datagrams sent (undefined: the host default). Set: 1..255 or undefined, else `invalid`. */
  get ttl(): number | undefined {
    return this.ttlValue;
  }

  set ttl(v: number | undefined) {
    this.ttlValue = v === undefined ? undefined : checkUint('UDP ttl', v, 1, 255);
  }

  /** Set DF on datagrams sent: too big for the MTU then throws `msgsize` instead of fragmenting. */
  get dontFragment(): boolean {
    return this.dfValue;
  }

  set dontFragment(v: boolean) {
    if (typeof v !== 'boolean') throw new InetError('invalid', `dontFragment must be a boolean, got ${String(v)}`);
    this.dfValue = v;
  }

  /**
   * `bind`: port 0 picks an ephemeral port; `addr` 0 (default) binds every local address. Throws
   * {@link InetError}: `exists` (already bound), `addr-in-use`, `no-ports`, `bad-address` (not one of our
   * addresses, nor a multicast group, nor a bad port), `closed`.
   */
  bind(port = 0, addr: InAddrLike = INADDR_ANY): this {
    this.checkOpen();
    if (this.localPort !== 0) throw new InetError('exists', `socket already bound to port ${this.localPort}`);
    checkPort(port, true);
    const a = toAddr(addr);
    if (a !== INADDR_ANY && !this.udp.inet.isLocal(a) && !isMulticast(a) && !this.udp.inet.isBroadcast(a)) {
      throw new InetError('bad-address', `${formatAddr(a)} is not an address of ${this.udp.host.name}`);
    }
    this.udp.attach(this, port, a);
    return this;
  }

  /**
   * `connect`: fixes the peer; `send` then goes there and only its datagrams are received. Binds an
   * ephemeral port if unbound, and the source address the route chooses if bound to any. Throws
   * {@link InetError}: `no-route`, `bad-address`, `no-ports`, `closed`.
   */
  connect(addr: InAddrLike, port: number): this {
    this.checkOpen();
    const dst = toAddr(addr);
    checkPort(port, false);
    let src = this.localAddress;
    if (src === INADDR_ANY) {
      src = this.udp.inet.selectSource(dst);
      if (src < 0) throw new InetError('no-route', `no route to ${formatAddr(dst)}`);
    }
    if (this.localPort === 0) this.udp.attach(this, 0, INADDR_ANY);
    if (!isMulticast(src) && src !== INADDR_ANY && this.udp.inet.isLocal(src)) this.localAddress = src;
    this.remoteAddress = dst;
    this.remotePort = port;
    this.udp.forgetLookup();
    return this;
  }

  /**
   * Sends to the connected peer. See {@link sendTo} for ownership, errors and the return value. Throws
   * `not-connected` if not connected.
   */
  send(data: Uint8Array | Mbuf): boolean {
    if (this.remotePort === 0) {
      if (!(data instanceof Uint8Array)) {
        assertOwnMbuf(this.udp.host, data, 'UDP send'); // a foreign mbuf stays the caller's
        m_freem(data);
      }
      throw new InetError('not-connected', 'send on an unconnected socket');
    }
    return this.sendTo(data, this.remoteAddress, this.remotePort);
  }

  /**
   * `sendto`: sends one datagram of `data` (bytes, copied; or a packet mbuf, whose ownership passes to the
   * stack **in every case, error included** — except a foreign or free mbuf, which core's `assertOwnMbuf`
   * refuses first with MbufError `foreign`/`use-after-free`, leaving it the caller's) to `addr`:`port`.
   * Binds an ephemeral port if unbound.
   *
   * Returns true when the datagram was handed to the interface, false when it was dropped for lack of
   * resources (mbufs, a full interface queue: counted there). Throws {@link InetError} for what the
   * caller must fix: `msgsize` (more than 65507 bytes, or DF set and larger than the MTU), `no-route`,
   * `bad-address`, `no-ports`, `nobufs` (could not copy `data` in), `closed`.
   */
  sendTo(data: Uint8Array | Mbuf, addr: InAddrLike, port: number, options?: UdpSendOptions): boolean {
    const owned = !(data instanceof Uint8Array);
    if (owned && !(data instanceof Mbuf))
      throw new InetError('invalid', 'sendTo: data must be a Uint8Array or an Mbuf');
    if (owned) assertOwnMbuf(this.udp.host, data, 'UDP sendTo');
    const fail = (e: InetError): never => {
      if (owned) m_freem(data as Mbuf);
      throw e;
    };
    if (this.closedFlag) fail(new InetError('closed', 'socket is closed'));
    let dst = 0;
    let src = this.localAddress;
    try {
      dst = toAddr(addr);
      checkPort(port, false);
      if (options?.src !== undefined) src = toAddr(options.src);
    } catch (e) {
      fail(e as InetError);
    }
    const len = owned ? (data as Mbuf).pkthdr.len : (data as Uint8Array).length;
    if (owned && ((data as Mbuf).flags & M_PKTHDR) === 0)
      fail(new InetError('bad-address', 'sendTo: mbuf is not a packet (no M_PKTHDR)'));
    if (len > this.sndbuf) fail(new InetError('msgsize', `UDP payload ${len} > SO_SNDBUF ${this.sndbuf}`));
    if (this.localPort === 0) {
      try {
        this.udp.attach(this, 0, INADDR_ANY);
      } catch (e) {
        fail(e as InetError);
      }
    }
    if (src === INADDR_ANY || isMulticast(src)) {
      src = this.udp.inet.selectSource(dst);
      if (src < 0) fail(new InetError('no-route', `no route to ${formatAddr(dst)}`));
    } else if (!this.udp.inet.isLocal(src)) {
      // Bound to an address that has since been removed (its interface detached, say): EADDRNOTAVAIL.
      fail(new InetError('bad-address', `${formatAddr(src)} is no longer an address of ${this.udp.host.name}`));
    }
    let m: Mbuf;
    if (owned) m = data as Mbuf;
    else {
      const n = this.udp.host.pool.devget(data as Uint8Array, 0, len, null, HEADROOM);
      if (n === null) throw new InetError('nobufs', 'mbuf pool exhausted');
      m = n;
    }
    this.out.ttl = this.ttlValue;
    this.out.df = this.dfValue;
    const status = this.udp.output(m, src, this.localPort, dst, port, this.out);
    if (status === 'ok') {
      this.stats.sent++;
      return true;
    }
    if (status === 'no-route' || status === 'msgsize')
      throw new InetError(status, `send to ${formatAddr(dst)}:${port}: ${status}`);
    return false;
  }

  /**
   * Sets (or clears, with undefined) the receive callback. Datagrams already queued are handed to it at
   * the next run of the application continuation. While a callback is set, {@link recv} is refused.
   */
  onMessage(cb: UdpReceiveCallback | undefined): this {
    this.callback = cb;
    if (cb !== undefined && this.sb.length > 0) this.udp.host.cpu.sched.schedule(this.kc);
    return this;
  }

  /** Sets a callback for ICMP errors reported to this (connected) socket. */
  onError(cb: ((err: InetError) => void) | undefined): this {
    this.errorCallback = cb;
    return this;
  }

  /**
   * Receives one datagram (payload copied out; the mbuf is freed). Resolves at once if one is queued,
   * otherwise when one arrives. Rejects with the pending ICMP error (`unreachable`) of a connected
   * socket, or `closed`.
   */
  recv(): Promise<UdpMessage> {
    if (this.closedFlag) return Promise.reject(new InetError('closed', 'socket is closed'));
    if (this.callback !== undefined) {
      return Promise.reject(new InetError('exists', 'recv() on a socket with a receive callback'));
    }
    if (this.lastError !== null) {
      const e = this.lastError;
      this.lastError = null;
      return Promise.reject(e);
    }
    const m = this.sb.take(this.info);
    if (m !== null) {
      if (this.heldIfp !== null) this.maybeRelease();
      return Promise.resolve(this.copyOut(m));
    }
    return new Promise<UdpMessage>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /** Closes the socket: unbinds, frees queued datagrams, rejects pending `recv`s with `closed`. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.udp.detach(this);
    this.sb.purge();
    this.maybeRelease();
    this.udp.host.cpu.sched.cancel(this.kc);
    const err = new InetError('closed', 'socket closed');
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.callback = undefined;
  }

  private checkOpen(): void {
    if (this.closedFlag) throw new InetError('closed', 'socket is closed');
  }

  /**
   * @internal Queues a received datagram: `hlen` bytes of IP and UDP headers in front (contiguous), which
   * are trimmed here, the addresses recorded beside the payload. **Takes ownership of `m`**: queued, or
   * dropped and counted (`udp.fullsock`: datagram count or SO_RCVBUF bytes). LAYER_SOCKET is charged by
   * the caller, `udp_input`, together with its own layer.
   */
  deliver(m: Mbuf, ifp: Ifnet, hlen: number, src: number, sport: number, dst: number, dport: number): void {
    const udp = this.udp;
    // Linux's pfmemalloc rule: while only the pool's reserve (for receive rings) is left, nothing queues.
    if (m.pool.pressure) {
      this.dropDatagram(m, ifp, UdpDrop.memPressure);
      return;
    }
    // The headers are contiguous in the first mbuf (udp_input pulled them up): trimming them is m_adj's
    // first-mbuf case, written out here where it runs once per datagram.
    m.off += hlen;
    m.len -= hlen;
    m.pkthdr.len -= hlen;
    const sb = this.sb;
    if (!sb.append(m, src, sport, dst, dport)) {
      if (this.feedback && this.heldIfp === null) this.holdInput(ifp);
      this.dropDatagram(m, ifp, UdpDrop.fullSock);
      return;
    }
    // Full by either bound (count, or SO_RCVBUF bytes with one more datagram of this size): hold now,
    // before the next datagram is processed only to be refused.
    if (this.feedback) this.holdIfFull(ifp);
    this.stats.received++;
    udp.stats.delivered++;
    // `sorwakeup`: a reader already queued to run needs no second wakeup (its run drains up to its budget
    // and re-queues itself if more remain), so the scheduler is not called for it: a flag test per datagram.
    const kc = this.kc;
    if (kc.pending === false && (this.callback !== undefined || this.waiters.length > 0)) udp.cpu.sched.schedule(kc);
  }

  /**
   * A datagram this socket cannot take (`udp.fullsock`, `udp.mempressure`): counted on the socket and as
   * a drop, then freed. Out of line, as are {@link holdIfFull} and the holds, so that `deliver` stays
   * small enough for V8 to inline it, the socket buffer's `append` and the pool's `pressure` into
   * `udp_input` (one bytecode budget per optimised function).
   */
  private dropDatagram(m: Mbuf, ifp: Ifnet, reason: UdpDropReason): void {
    this.stats.dropped++;
    this.udp.drop.dropInput(m, ifp, reason);
  }

  /** Input feedback: takes the hold once the buffer is full by either bound, before the next datagram. */
  private holdIfFull(ifp: Ifnet): void {
    const sb = this.sb;
    if (this.heldIfp === null && sb.isFull(sb.lastSize)) this.holdInput(ifp);
  }

  private holdInput(ifp: Ifnet): void {
    this.heldIfp = ifp;
    this.stats.inputHolds++;
    ifp.holdInput();
  }

  /**
   * Releases the input hold once the application has drained the queue (called after each take). The
   * low-water mark is empty, not half: the poll round that resumes runs a whole budget (64) and the round
   * already running when a hold is taken finishes it, so whatever does not fit dies here after the CPU
   * processed it. Measured in the lab (continuation at 2,500,000/s, 60-byte datagrams, whose 2 KiB
   * clusters fill the 128 KiB SO_RCVBUF at 56): released at half 198,400/s reached the application, at
   * a quarter 271,360/s, at empty 331,520/s. (Half of the datagram count alone was worse still: a queue
   * full by bytes was "half empty" after one take, and the hold was taken and released per datagram.)
   */
  private maybeRelease(): void {
    const ifp = this.heldIfp;
    if (ifp !== null && this.sb.length === 0) {
      this.heldIfp = null;
      ifp.releaseInput();
    }
  }

  /** @internal An ICMP error about a datagram this socket sent. */
  reportError(err: InetError): void {
    this.stats.errors++;
    const w = this.waiters.shift();
    if (w !== undefined) w.reject(err);
    else this.lastError = err;
    this.errorCallback?.(err);
  }

  /** A copy of datagram `m` (just taken, its addresses in {@link info}) for `recv`; frees `m`. */
  private copyOut(m: Mbuf): UdpMessage {
    const i = this.info;
    const len = m.pkthdr.len;
    const data = new Uint8Array(len);
    m_copydata(m, 0, len, data, 0);
    const ifp = m.pkthdr.rcvif;
    m.pool.freem(m);
    return { data, srcAddr: i.srcAddr, srcPort: i.srcPort, dstAddr: i.dstAddr, dstPort: i.dstPort, ifp };
  }

  /**
   * The application continuation: hands queued datagrams to the callback or to waiting `recv`s, up to
   * {@link APP_BUDGET} per run, with a **preemption point after each**. Process-level code is preemptible
   * at any instruction in a real kernel; without the point a pending interrupt waited for the whole run
   * (64 datagrams of application work, about 100 µs in the lab), which is long enough to let a ring
   * overflow or a classic driver's timer regime begin. At the point interrupts are taken and soft work
   * (the poll that refills this queue) may run; core's fair share (`cpu.softQuota`) keeps a busy softnet
   * from starving the application across those points. The callback may close the socket meanwhile:
   * the loop re-checks.
   */
  private drain(): void {
    const cpu = this.udp.cpu;
    const sb = this.sb;
    const info = this.info;
    let n = 0;
    // `=== false`: per datagram; a bare test of a boolean field is a full ToBoolean in V8.
    while (n < APP_BUDGET && this.closedFlag === false) {
      const cb = this.callback;
      if (cb === undefined && this.waiters.length === 0) return;
      const m = sb.take(info);
      if (m === null) return;
      if (this.heldIfp !== null) this.maybeRelease();
      n++;
      if (cb !== undefined) {
        // Stored only when it changes (a flow's datagrams share their interface): the store of an
        // object reference is a write barrier, and V8 calls out to RecordWrite for it while the
        // interface object is in the young generation, which a data path that allocates nothing keeps it in.
        const ifp = m.pkthdr.rcvif;
        if (info.ifp !== ifp) info.ifp = ifp;
        cb(m, info);
      } else {
        this.waiters.shift()!.resolve(this.copyOut(m));
      }
      cpu.preempt();
    }
    if (this.closedFlag === false && sb.length > 0) cpu.sched.schedule(this.kc);
  }
}

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
