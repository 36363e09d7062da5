/**
 * The UDP socket (`struct inpcb` + `struct socket` for datagrams): binding and connecting, sends, and the
 * receive side — datagrams queued by `udp_input` on the socket buffer ({@link DatagramSockbuf}) and handed
 * to the application by a continuation at `IPL_NONE` (see the module documentation of `udp.ts`).
 *
 * @module
 */
import { assertOwnMbuf, Continuation, type Ifnet, IPL_NONE, M_PKTHDR, Mbuf, m_copydata, m_freem } from '@ifnet/core';
import { INADDR_ANY, type InAddrLike, formatAddr, isMulticast, toAddr } from './addr.js';
import { UdpDrop, type UdpDropReason } from './drop-reasons.js';
import { InetError } from './errors.js';
import type { IpOutputOptions } from './inet.js';
import { IP_HDR_LEN, IP_MAXPACKET } from './ip-header.js';
import { type DatagramAddrs, DatagramSockbuf, SOCKBUF_MAX, UDP_DEFAULT_RCVBUF } from './sockbuf.js';
import type { Udp } from './udp.js';
import { UDP_HDR_LEN } from './udp-header.js';
import { checkUint } from './validate.js';

/** Largest UDP payload: 65535 - 20 (IP) - 8 (UDP). */
export const UDP_MAX_PAYLOAD = IP_MAXPACKET - IP_HDR_LEN - UDP_HDR_LEN;
/** Default receive queue length, in datagrams. */
export const UDP_DEFAULT_RECEIVE_QUEUE = 128;
/** Largest receive queue length, in datagrams. */
export const UDP_MAX_RECEIVE_QUEUE = 65536;
/** Default SO_SNDBUF: the largest datagram `send` accepts (BSD: EMSGSIZE above it). */
export const UDP_DEFAULT_SNDBUF = UDP_MAX_PAYLOAD;
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
