/**
 * ICMP (RFC 792, with RFC 1122's rules): echo replies, error messages with a rate limit, delivery of
 * received errors to transport protocols and pings, and the echo client ({@link ping}).
 *
 * ## Input
 *
 * {@link Icmp.input} is registered for protocol 1 in the host's `ip-protocol` table. It verifies length
 * (`icmp.tooshort`) and checksum (`icmp.badsum`), then:
 *
 * - *echo request*: answered by turning the same mbuf around — IP header trimmed, type changed, checksum
 *   updated incrementally (RFC 1624, so a 64 KiB echo is not summed twice), addresses swapped — and sent
 *   with {@link Inet.output}, which fragments the reply if it does not fit the MTU. Requests to a
 *   broadcast or multicast address are not answered (`icmp.bmcastecho`, BSD's `icmpbmcastecho=0`)
 *   unless `echoBroadcast` is set.
 * - *echo reply*: matched by identifier and sequence to a pending {@link ping}; otherwise
 *   `icmp.echoreply.unmatched`.
 * - *destination unreachable, time exceeded, parameter problem, source quench*: the quoted datagram's
 *   header is checked (`icmp.badlen`) and the error is passed to the transport protocol that registered
 *   for its protocol number ({@link Inet.setCtlInput}: UDP reports it to a connected socket), or to the
 *   ping that sent the quoted echo request.
 * - anything else is counted (`icmp.unhandled`) and freed.
 *
 * ## Errors we send
 *
 * {@link Icmp.error} quotes the offending datagram's header and first 8 data bytes (RFC 792) and never
 * answers (RFC 1122 3.2.2): an ICMP error, a datagram sent to a broadcast or multicast address (IP or
 * link level), a fragment other than the first, or a source that is not a single host. Those are
 * counted as {@link IcmpStats.errorsSuppressed}. What remains passes a token bucket on the host clock
 * (`errorRate` per second, bursts of `errorBurst`); refusals are {@link IcmpStats.rateLimited}.
 *
 * @module
 */
import {
  Callout,
  DropCounter,
  type Host,
  HostState,
  type Ifnet,
  LAYER_ICMP,
  M_BCAST,
  M_LOOP,
  M_MCAST,
  type Mbuf,
  type Nanoseconds,
  m_copydata,
  m_getByte,
  m_pullup,
  sec,
} from '@ifnet/core';
import { INADDR_ANY, type InAddrLike, formatAddr, isExperimental, isMulticast, toAddr } from './addr.js';
import { inCksum } from './cksum.js';
import { InetError } from './errors.js';
import {
  ICMP_CKSUM,
  ICMP_CODE,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_ID,
  ICMP_MINLEN,
  ICMP_NEXTMTU,
  ICMP_PARAMPROB,
  ICMP_SEQ,
  ICMP_SOURCEQUENCH,
  ICMP_TIMXCEED,
  ICMP_TYPE,
  ICMP_UNREACH,
} from './icmp-header.js';
import type { IcmpErrorSink, Inet } from './inet.js';
import {
  IPPROTO_ICMP,
  IP_DST,
  IP_HDR_LEN,
  IP_MAXPACKET,
  IP_OFF,
  IP_OFFMASK,
  IP_P,
  IP_SRC,
  IP_TTL,
} from './ip-header.js';
import { IcmpDrop, type IcmpDropReason } from './drop-reasons.js';
import { IcmpStats } from './stats.js';
import { checkDuration, checkUint } from './validate.js';

/** ICMP configuration. */
export interface IcmpOptions {
  /** Error messages per second the token bucket allows. Default 100. */
  errorRate?: number;
  /** Bucket size: errors that may be sent back to back. Default 20. */
  errorBurst?: number;
  /** Answer echo requests sent to a broadcast or multicast address. Default false. */
  echoBroadcast?: boolean;
}

/** What a ping resolves with. */
export interface PingReply {
  /** Who answered. */
  from: number;
  id: number;
  seq: number;
  /** ICMP data bytes in the reply (the `size` asked for, when the echo is faithful). */
  bytes: number;
  /** TTL of the reply's IP header. */
  ttl: number;
  /** Round-trip time on the host clock. */
  rtt: Nanoseconds;
  sentAt: Nanoseconds;
  receivedAt: Nanoseconds;
}

/** Options of {@link ping}. */
export interface PingOptions {
  /** ICMP data bytes (`ping -s`). Default 56. */
  size?: number;
  /** Echo identifier. Default: a per-host counter. */
  id?: number;
  /** Sequence number. Default 0. */
  seq?: number;
  /** How long to wait for the reply. Default 1 s. */
  timeout?: Nanoseconds;
  ttl?: number;
  /** Set DF (`ping -D`): too big for the MTU fails with `msgsize` instead of fragmenting. */
  df?: boolean;
  /** Source address. Default: chosen by the route. */
  src?: InAddrLike;
  /** Called with the outcome as well (synchronously from the stack), for code that does not await. */
  callback?: (err: InetError | null, reply: PingReply | null) => void;
}

interface PendingPing {
  dst: number;
  id: number;
  seq: number;
  sentAt: Nanoseconds;
  timer: Callout<PendingPing>;
  settle(err: InetError | null, reply: PingReply | null): void;
}

/** Token bucket on the host clock. */
class TokenBucket {
  private tokens: number;
  private last: Nanoseconds;

  constructor(
    public rate: number,
    public burst: number,
    now: Nanoseconds,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: Nanoseconds): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1e9);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/** ICMP message types that are queries, not errors (BSD's `ICMP_INFOTYPE`): errors about them are allowed. */
function isInfoType(t: number): boolean {
  return t === 0 || t === 8 || t === 9 || t === 10 || (t >= 13 && t <= 18);
}

function checkRate(rate: number, burst: number): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new InetError('invalid', `ICMP error rate must be a finite number >= 0, got ${String(rate)}`);
  }
  checkUint('ICMP error burst', burst, 0, 0x7fffffff);
}

/**
 * Whether packet bytes `[from, pkthdr.len)` of chain `m` are all zero: the echo reflection's test for the
 * all-zero reply (out of line: it runs for one reply in 65,536).
 */
function zeroFrom(m: Mbuf, from: number): boolean {
  let skip = from;
  for (let x: Mbuf | null = m; x !== null; x = x.next) {
    const b = x.buf;
    const end = x.off + x.len;
    for (let i = x.off + Math.min(skip, x.len); i < end; i++) if (b[i] !== 0) return false;
    skip = Math.max(0, skip - x.len);
  }
  return true;
}

/** Headroom left in front of locally built ICMP messages for the IP and link headers. */
const HEADROOM = 64;
// The layer, types, offsets and flags `icmp_input` and the echo reflection use per packet, as this
// module's own constants: V8 (Node 20) folds a module's own `const` into an immediate (and a `switch` on
// them into compares of immediates) but reads an imported one from the exporting module's cell, with a
// hole (TDZ) check, at every use (drivers/e1000's README).
const LAYER = LAYER_ICMP;
const MINLEN = ICMP_MINLEN;
const TYPE_OFF = ICMP_TYPE;
const CODE_OFF = ICMP_CODE;
const CKSUM_OFF = ICMP_CKSUM;
const ECHO = ICMP_ECHO;
const ECHOREPLY = ICMP_ECHOREPLY;
const UNREACH = ICMP_UNREACH;
const TIMXCEED = ICMP_TIMXCEED;
const PARAMPROB = ICMP_PARAMPROB;
const SOURCEQUENCH = ICMP_SOURCEQUENCH;
const SRC_OFF = IP_SRC;
const DST_OFF = IP_DST;
const PROTO_ICMP = IPPROTO_ICMP;
const ANY = INADDR_ANY;
const BCAST_MCAST = M_BCAST | M_MCAST;
/** The mbuf flags a reply keeps: not the request's link-level marks. */
const OUT_FLAGS_KEPT = ~(M_BCAST | M_MCAST | M_LOOP);

export class Icmp implements IcmpErrorSink {
  readonly host: Host;
  readonly inet: Inet;
  readonly stats = new IcmpStats();
  /** Drop accounting: `stats.drops` and the interface, by {@link IcmpDrop} reason. */
  readonly drop: DropCounter<IcmpDropReason> = new DropCounter<IcmpDropReason>(this.stats.drops);
  echoBroadcast: boolean;
  private readonly bucket: TokenBucket;
  private readonly pings = new Map<number, PendingPing>();
  private nextId = 1;

  constructor(inet: Inet, options: IcmpOptions = {}) {
    this.inet = inet;
    this.host = inet.host;
    this.echoBroadcast = options.echoBroadcast ?? false;
    const rate = options.errorRate ?? 100;
    const burst = options.errorBurst ?? 20;
    checkRate(rate, burst);
    this.bucket = new TokenBucket(rate, burst, this.host.now());
  }

  /**
   * Changes the error rate limit: `rate` errors per second (a finite number >= 0; 0 sends none) and
   * bursts of `burst` (an integer >= 0). Throws {@link InetError} `invalid` otherwise.
   */
  setErrorRate(rate: number, burst: number): void {
    checkRate(rate, burst);
    this.bucket.rate = rate;
    this.bucket.burst = burst;
  }

  /** Pings waiting for a reply. */
  get pendingPings(): number {
    return this.pings.size;
  }

  /**
   * `icmp_input`: the `pr_input` of protocol 1; the IP header (of `off` bytes) is in front, contiguous.
   * **Owns `m`**: reflects it as an echo reply, or frees it (counted where it is a drop). Never throws
   * for any content of `m`.
   */
  readonly input = (m: Mbuf, off: number, ifp: Ifnet): void => {
    this.host.cpu.chargeLayerId(LAYER);
    this.stats.received++;
    const icmpLen = m.pkthdr.len - off;
    if (icmpLen < MINLEN) {
      this.drop.dropInput(m, ifp, IcmpDrop.tooShort);
      return;
    }
    if (m.len < off + MINLEN) {
      const n = m_pullup(m, off + MINLEN);
      if (n === null) {
        this.drop.countInput(ifp, IcmpDrop.pullup);
        return;
      }
      m = n;
    }
    if (inCksum(m, off, icmpLen) !== 0) {
      this.drop.dropInput(m, ifp, IcmpDrop.badSum);
      return;
    }
    const b = m.buf;
    const o = m.off;
    const type = b[o + off + TYPE_OFF];
    const code = b[o + off + CODE_OFF];
    this.stats.inByType[type]++;
    switch (type) {
      case ECHO:
        this.reflect(m, off, ifp, code);
        return;
      case ECHOREPLY:
        this.echoReply(m, off, ifp);
        return;
      case UNREACH:
      case TIMXCEED:
      case PARAMPROB:
      case SOURCEQUENCH:
        this.ctlInput(m, off, ifp, type, code);
        return;
      default:
        this.drop.dropInput(m, ifp, IcmpDrop.unhandled);
        return;
    }
  };

  /** Echo request → echo reply, in the same mbuf. Owns `m`. */
  private reflect(m: Mbuf, off: number, ifp: Ifnet, code: number): void {
    if ((m.flags & BCAST_MCAST) !== 0 && !this.echoBroadcast) {
      this.drop.dropInput(m, ifp, IcmpDrop.bmcastEcho);
      return;
    }
    const v = m.view;
    const o = m.off;
    // Signed (`getInt32`): an address at or above 128.0.0.0 stays a small integer through the calls below
    // (IPv4's checks and output take either form).
    const origSrc = v.getInt32(o + SRC_OFF);
    const origDst = v.getInt32(o + DST_OFF);
    if (origSrc === ANY || this.inet.isBroadcast(origSrc)) {
      this.drop.dropInput(m, ifp, IcmpDrop.echoBadSrc);
      return;
    }
    const src = this.inet.isLocal(origDst) ? origDst : this.inet.sourceOn(ifp, origSrc);
    const b = m.buf;
    const c = o + off;
    // RFC 1624: HC' = ~(~HC + ~m + m'), m the old 16-bit word holding type and code.
    const hc = (b[c + CKSUM_OFF] << 8) | b[c + CKSUM_OFF + 1];
    const oldWord = (ECHO << 8) | code;
    const newWord = (ECHOREPLY << 8) | code;
    let sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord; // < 2^18: two folds
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = ~((sum & 0xffff) + (sum >>> 16)) & 0xffff;
    // Eqn. 3 cannot tell the reply's sum −0 (0xFFFF, checksum 0x0000) from +0 (an all-zero reply: type 0,
    // code 0, id, sequence and data all zero, whose RFC 1071 checksum is 0xFFFF): it answers 0x0000 for
    // both. One reply in 65,536 gets here; the all-zero one is told apart by looking.
    if (sum === 0 && code === 0 && zeroFrom(m, off + ICMP_ID)) sum = 0xffff;
    b[c + TYPE_OFF] = ECHOREPLY;
    b[c + CKSUM_OFF] = sum >>> 8;
    b[c + CKSUM_OFF + 1] = sum & 0xff;
    // The reply is a new locally originated datagram: strip the IP header, forget where it came from.
    // m_adj(m, off) written out for the case at hand: `input` made the IP header and the ICMP header
    // contiguous in this live packet-header mbuf (`m.len >= off + MINLEN`), so the trim is this mbuf's
    // alone (m_adj's checks and chain walk, 428 bytes of bytecode, used a third of the inlining budget).
    m.off = o + off;
    m.len -= off;
    m.pkthdr.len -= off;
    m.flags &= OUT_FLAGS_KEPT;
    m.pkthdr.rcvif = null;
    m.pkthdr.csumFlags = 0;
    this.stats.echoReplied++;
    this.stats.outByType[ECHOREPLY]++;
    this.inet.output(m, src, origSrc, PROTO_ICMP);
  }

  /** Echo reply: settle the matching ping. Owns `m`. */
  private echoReply(m: Mbuf, off: number, ifp: Ifnet): void {
    const b = m.buf;
    const o = m.off;
    const id = (b[o + off + ICMP_ID] << 8) | b[o + off + ICMP_ID + 1];
    const seq = (b[o + off + ICMP_SEQ] << 8) | b[o + off + ICMP_SEQ + 1];
    const p = this.pings.get(id * 65536 + seq);
    const from = m.view.getUint32(o + IP_SRC);
    if (p === undefined || (p.dst !== from && !isMulticast(p.dst) && !this.inet.isBroadcast(p.dst))) {
      this.drop.dropInput(m, ifp, IcmpDrop.echoReplyUnmatched);
      return;
    }
    const now = this.host.now();
    const reply: PingReply = {
      from,
      id,
      seq,
      bytes: m.pkthdr.len - off - ICMP_MINLEN,
      ttl: b[o + IP_TTL],
      rtt: now - p.sentAt,
      sentAt: p.sentAt,
      receivedAt: now,
    };
    m.pool.freem(m);
    this.stats.echoRepliesMatched++;
    p.settle(null, reply);
  }

  /** A received error: validate the quote, report it. Owns `m`. */
  private ctlInput(m: Mbuf, off: number, ifp: Ifnet, type: number, code: number): void {
    const q = off + ICMP_MINLEN; // quoted IP header
    const total = m.pkthdr.len;
    if (total < q + IP_HDR_LEN + 8) {
      this.drop.dropInput(m, ifp, IcmpDrop.badLen);
      return;
    }
    const vhl = m_getByte(m, q);
    const qhlen = (vhl & 0x0f) << 2;
    if (vhl >>> 4 !== 4 || qhlen < IP_HDR_LEN || total < q + qhlen + 8) {
      this.drop.dropInput(m, ifp, IcmpDrop.badLen);
      return;
    }
    const proto = m_getByte(m, q + IP_P);
    this.stats.errorsReceived++;
    if (proto === IPPROTO_ICMP) {
      const qt = q + qhlen;
      if (m_getByte(m, qt) === ICMP_ECHO) {
        const id = (m_getByte(m, qt + ICMP_ID) << 8) | m_getByte(m, qt + ICMP_ID + 1);
        const seq = (m_getByte(m, qt + ICMP_SEQ) << 8) | m_getByte(m, qt + ICMP_SEQ + 1);
        const p = this.pings.get(id * 65536 + seq);
        if (p !== undefined) {
          this.stats.errorsReported++;
          p.settle(new InetError('unreachable', `ICMP type ${type} code ${code} for echo ${id}/${seq}`), null);
        }
      }
    } else {
      const fn = this.inet.ctlInputs[proto];
      if (fn !== undefined) {
        this.stats.errorsReported++;
        fn(type, code, m, q);
      }
    }
    m.pool.freem(m);
  }

  /**
   * `icmp_error`: sends an ICMP error of `type`/`code` about datagram `m` (its IP header at the front,
   * contiguous), received on `ifp` (null: locally originated). `nextMtu` fills the next-hop MTU field of
   * "fragmentation needed". **Borrows `m`**: the caller still owns it and frees it afterwards. Applies
   * RFC 1122's rules and the rate limit; never throws.
   */
  error(m: Mbuf, type: number, code: number, ifp: Ifnet | null, nextMtu = 0): void {
    const st = this.stats;
    if (m.len < IP_HDR_LEN) {
      st.errorsSuppressed++;
      return;
    }
    const b = m.buf;
    const o = m.off;
    const hlen = (b[o] & 0x0f) << 2;
    const ipOff = (b[o + IP_OFF] << 8) | b[o + IP_OFF + 1];
    const v = m.view;
    // Signed (`getInt32`): an address at or above 128.0.0.0 stays a small integer through the calls below
    // (IPv4's checks and output take either form).
    const origSrc = v.getInt32(o + IP_SRC);
    const origDst = v.getInt32(o + IP_DST);
    if (
      hlen < IP_HDR_LEN ||
      hlen > m.pkthdr.len ||
      (ipOff & IP_OFFMASK) !== 0 ||
      (m.flags & (M_BCAST | M_MCAST)) !== 0 ||
      isMulticast(origDst) ||
      this.inet.isBroadcast(origDst) ||
      origSrc === INADDR_ANY ||
      isMulticast(origSrc) ||
      isExperimental(origSrc) ||
      this.inet.isBroadcast(origSrc)
    ) {
      st.errorsSuppressed++;
      return;
    }
    if (b[o + IP_P] === IPPROTO_ICMP && (m.pkthdr.len <= hlen || !isInfoType(m_getByte(m, hlen)))) {
      st.errorsSuppressed++;
      return;
    }
    if (!this.bucket.take(this.host.now())) {
      st.rateLimited++;
      return;
    }
    const quote = Math.min(m.pkthdr.len, hlen + 8);
    const pool = this.host.pool;
    const need = HEADROOM + ICMP_MINLEN + quote;
    const n = need <= pool.msize ? pool.gethdr() : pool.getcl();
    if (n === null) {
      this.drop.count(IcmpDrop.outputNoBufs);
      return;
    }
    n.off = HEADROOM;
    n.len = ICMP_MINLEN + quote;
    n.pkthdr.len = n.len;
    const nb = n.buf;
    const c = n.off;
    nb[c + ICMP_TYPE] = type;
    nb[c + ICMP_CODE] = code;
    nb[c + ICMP_CKSUM] = 0;
    nb[c + ICMP_CKSUM + 1] = 0;
    nb[c + ICMP_ID] = 0;
    nb[c + ICMP_ID + 1] = 0;
    nb[c + ICMP_NEXTMTU] = (nextMtu >>> 8) & 0xff;
    nb[c + ICMP_NEXTMTU + 1] = nextMtu & 0xff;
    m_copydata(m, 0, quote, nb, c + ICMP_MINLEN);
    const sum = inCksum(n, 0, n.len);
    nb[c + ICMP_CKSUM] = sum >>> 8;
    nb[c + ICMP_CKSUM + 1] = sum & 0xff;
    const src = this.inet.isLocal(origDst) ? origDst : ifp !== null ? this.inet.sourceOn(ifp, origSrc) : INADDR_ANY;
    st.outByType[type]++;
    this.inet.output(n, src, origSrc, IPPROTO_ICMP);
  }

  /** @internal Sends an echo request; see {@link ping}. */
  sendEcho(dst: number, options: PingOptions, settle: (err: InetError | null, reply: PingReply | null) => void): void {
    // Everything that can be wrong with the arguments is found before an mbuf or a timer exists.
    let timeout: number;
    let src = INADDR_ANY;
    try {
      timeout = checkDuration('ping timeout', options.timeout ?? sec(1));
      if (options.ttl !== undefined) checkUint('ping ttl', options.ttl, 1, 255);
      if (options.df !== undefined && typeof options.df !== 'boolean') {
        throw new InetError('invalid', `ping df must be a boolean, got ${String(options.df)}`);
      }
      if (options.src !== undefined) src = toAddr(options.src);
    } catch (e) {
      settle(e as InetError, null);
      return;
    }
    const size = options.size ?? 56;
    if (!Number.isInteger(size) || size < 0 || size > IP_MAXPACKET - IP_HDR_LEN - ICMP_MINLEN) {
      settle(new InetError('msgsize', `ping size ${size} outside 0..${IP_MAXPACKET - IP_HDR_LEN - ICMP_MINLEN}`), null);
      return;
    }
    let id = options.id;
    if (id === undefined) {
      id = this.nextId;
      this.nextId = (this.nextId % 0xffff) + 1;
    }
    const seq = options.seq ?? 0;
    if (!Number.isInteger(id) || id < 0 || id > 0xffff || !Number.isInteger(seq) || seq < 0 || seq > 0xffff) {
      settle(new InetError('bad-address', `bad echo id/seq ${id}/${seq}`), null);
      return;
    }
    const key = id * 65536 + seq;
    if (this.pings.has(key)) {
      settle(new InetError('exists', `a ping with id ${id} seq ${seq} is pending`), null);
      return;
    }
    const bytes = new Uint8Array(ICMP_MINLEN + size);
    bytes[ICMP_TYPE] = ICMP_ECHO;
    bytes[ICMP_ID] = id >>> 8;
    bytes[ICMP_ID + 1] = id & 0xff;
    bytes[ICMP_SEQ] = seq >>> 8;
    bytes[ICMP_SEQ + 1] = seq & 0xff;
    for (let i = 0; i < size; i++) bytes[ICMP_MINLEN + i] = i & 0xff;
    const m = this.host.pool.devget(bytes, 0, bytes.length, null, HEADROOM);
    if (m === null) {
      settle(new InetError('nobufs', 'mbuf pool exhausted'), null);
      return;
    }
    const sum = inCksum(m, 0, bytes.length);
    m.buf[m.off + ICMP_CKSUM] = sum >>> 8;
    m.buf[m.off + ICMP_CKSUM + 1] = sum & 0xff;
    const host = this.host;
    const pending: PendingPing = {
      dst,
      id,
      seq,
      sentAt: host.now(),
      timer: undefined as unknown as Callout<PendingPing>,
      settle: (err, reply) => {
        if (this.pings.get(key) !== pending) return;
        this.pings.delete(key);
        host.callouts.stop(pending.timer);
        settle(err, reply);
      },
    };
    pending.timer = new Callout<PendingPing>(
      `${host.name}.ping.${id}.${seq}`,
      (p) => {
        p.settle(new InetError('timeout', `no echo reply from ${formatAddr(p.dst)} (id ${p.id} seq ${p.seq})`), null);
      },
      pending,
    );
    this.pings.set(key, pending);
    host.callouts.reset(pending.timer, host.ticksFor(timeout));
    this.stats.outByType[ICMP_ECHO]++;
    const status = this.inet.output(m, src, dst, IPPROTO_ICMP, { ttl: options.ttl, df: options.df });
    if (status === 'ok') return;
    const code = status === 'dropped' ? 'nobufs' : status;
    pending.settle(new InetError(code, `ping ${formatAddr(dst)}: ${status}`), null);
  }
}

/** Each host's {@link Icmp}, in its DI container. */
export const ICMP_STATE: HostState<Icmp> = new HostState<Icmp>(
  '@ifnet/inet:ICMP',
  "@ifnet/inet's icmp module is not attached (call registerInet(platform) before createHost)",
);
/** Token under which each host's {@link Icmp} is registered in its DI container. */
export const ICMP: symbol = ICMP_STATE.token;

/** The ICMP instance of a host (throws, naming the fix, when the `icmp` module is not attached). */
export function icmpFor(host: Host): Icmp {
  return ICMP_STATE.of(host);
}

/**
 * The echo client (`ping -c 1`): sends one echo request of `size` data bytes to `dst` and resolves with
 * the reply and its round-trip time on the host clock, or rejects with an {@link InetError}: `timeout`,
 * `unreachable` (an ICMP error came back), `no-route`, `msgsize` (DF set and too big, or more than IPv4
 * allows), `nobufs`, `exists` (same id and seq already pending). `options.callback`, if given, is called
 * with the same outcome from inside the stack (and the promise's rejection is then considered handled).
 *
 * On the virtual clock, run the simulation to get an answer:
 *
 * ```ts
 * const reply = ping(host, '10.0.0.2', { size: 4000 });
 * sim.runUntilIdle();
 * console.log((await reply).rtt);
 * ```
 */
export function ping(host: Host, dst: InAddrLike, options: PingOptions = {}): Promise<PingReply> {
  const icmp = icmpFor(host);
  let resolveP!: (r: PingReply) => void;
  let rejectP!: (e: InetError) => void;
  const p = new Promise<PingReply>((resolve, reject) => {
    resolveP = resolve;
    rejectP = reject;
  });
  const settle = (err: InetError | null, reply: PingReply | null) => {
    options.callback?.(err, reply);
    if (err !== null) rejectP(err);
    else resolveP(reply!);
  };
  let addr = -1;
  try {
    addr = toAddr(dst);
  } catch (e) {
    settle(e as InetError, null);
  }
  if (addr >= 0) icmp.sendEcho(addr, options, settle);
  if (options.callback !== undefined) p.catch(() => {});
  return p;
}
