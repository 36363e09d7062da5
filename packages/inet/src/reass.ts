/**
 * IPv4 fragment reassembly (RFC 791 section 3.2, RFC 815's idea of tracking what is missing, RFC 5722's
 * rule for overlaps) with bounded memory.
 *
 * ## What is held
 *
 * Fragments wait in a *reassembly queue* per datagram, identified by (source, destination, protocol,
 * identification). Each queue keeps its fragments sorted by offset, each fragment still carrying its own
 * IP header (the first fragment's header becomes the datagram's). A datagram is complete when the last
 * fragment (MF = 0) has fixed the total length and the bytes held add up to it — since overlaps are never
 * accepted, that means every byte is covered. The fragments are then joined with `m_cat` (their headers
 * trimmed with `m_adj`), the first header is rewritten (total length, no fragment bits, checksum) and the
 * datagram goes on up as if it had arrived whole.
 *
 * ## The safe way with bad fragments
 *
 * - *Overlap*: a fragment that overlaps one already held, without being an exact duplicate, discards the
 *   whole datagram (RFC 5722's rule for IPv6, applied to IPv4: overlapping fragments are how IDS evasion
 *   and the old teardrop attacks work, and no honest sender produces them). Counted `ip.frag.overlap`.
 * - *Exact duplicate* (same offset and length): the copy is dropped, the datagram kept (`ip.frag.dup`).
 * - *Length*: a non-last fragment whose data is not a multiple of 8 bytes, or one with no data, is dropped
 *   (`ip.frag.badlen`, `ip.frag.empty`); a second, different last fragment, or data beyond the length a
 *   last fragment fixed, discards the datagram (`ip.frag.badlen`).
 * - *Too big*: a fragment ending beyond 65535 bytes of datagram (the "ping of death") discards the
 *   datagram (`ip.frag.toobig`); so does a datagram with more than `maxFragments` fragments
 *   (`ip.frag.toomany`).
 *
 * ## Bounded memory
 *
 * The storage held by all queues (mbuf and cluster capacity, not just data bytes, since that is what an
 * attacker makes us pin) is limited to `maxBytes`, and the number of datagrams to `maxDatagrams`. When a
 * fragment would exceed either, the oldest *other* datagrams are evicted (`ip.frag.evicted`), so a flood
 * of never-completed datagrams cannot lock out fresh traffic for the whole timeout; a fragment that cannot
 * fit even then is dropped (`ip.frag.memory`).
 *
 * ## Timeout
 *
 * A datagram not completed within `timeout` (30 s by default, RFC 1122's suggested upper range is 60 s)
 * is discarded (`ip.frag.timeout`, per fragment). If its first fragment had arrived, an ICMP time
 * exceeded (reassembly) is sent back (RFC 792 / RFC 1122 3.3.2). One callout serves all queues and is
 * armed only while something is held, so an idle host has no timer running.
 *
 * @module
 */
import {
  Callout,
  type DropCounter,
  type Host,
  type Ifnet,
  type Mbuf,
  type Nanoseconds,
  m_adj,
  m_cat,
  m_truesize,
  sec,
} from '@ifnet/core';
import { cksumBytes } from './cksum.js';
import { IP_DST, IP_ID, IP_LEN, IP_MAXPACKET, IP_MF, IP_OFF, IP_OFFMASK, IP_P, IP_SRC, IP_SUM } from './ip-header.js';
import { IpDrop, type IpDropReason } from './drop-reasons.js';
import type { IpStats } from './stats.js';
import { InetError } from './errors.js';
import { checkDuration, checkUint } from './validate.js';

/** Limits of the reassembly queues. */
export interface ReassemblyLimits {
  /** Largest datagram (header + data) accepted. Default 65535, the IPv4 maximum. */
  maxDatagramSize: number;
  /** Storage (mbuf + cluster capacity) all queues may hold together. Default 256 KiB. */
  maxBytes: number;
  /** Datagrams being reassembled at once. Default 64. */
  maxDatagrams: number;
  /** Fragments per datagram. Default 128 (a 64 KiB datagram over a 576-byte MTU needs 117). */
  maxFragments: number;
  /** How long a datagram may wait for its missing fragments. Default 30 s. */
  timeout: Nanoseconds;
  /** Send ICMP time exceeded (reassembly) when a datagram whose first fragment arrived times out. Default true. */
  timeExceeded: boolean;
}

export const DEFAULT_REASSEMBLY_LIMITS: Readonly<ReassemblyLimits> = Object.freeze({
  maxDatagramSize: IP_MAXPACKET,
  maxBytes: 256 * 1024,
  maxDatagrams: 64,
  maxFragments: 128,
  timeout: sec(30),
  timeExceeded: true,
});

/** Checks every limit (integers >= 1, a finite timeout > 0); throws {@link InetError} `invalid`. */
function checkLimits(l: ReassemblyLimits): ReassemblyLimits {
  checkUint('reassembly maxDatagramSize', l.maxDatagramSize, 68, IP_MAXPACKET);
  checkUint('reassembly maxBytes', l.maxBytes, 1, 0x7fffffff);
  checkUint('reassembly maxDatagrams', l.maxDatagrams, 1, 0x7fffffff);
  checkUint('reassembly maxFragments', l.maxFragments, 1, 8192);
  checkDuration('reassembly timeout', l.timeout);
  if (typeof l.timeExceeded !== 'boolean') throw new InetError('invalid', 'reassembly timeExceeded must be a boolean');
  return l;
}

/** One held fragment: data bytes `[start, end)` of the datagram; `m` still has its IP header. */
interface Fragment {
  start: number;
  end: number;
  hlen: number;
  m: Mbuf;
  ifp: Ifnet;
  truesize: number;
  next: Fragment | null;
}

/** One datagram being reassembled. */
interface Datagram {
  src: number;
  dst: number;
  id: number;
  proto: number;
  /** Fragments sorted by `start`. */
  frags: Fragment | null;
  count: number;
  /** Data bytes held. */
  received: number;
  /** Data length fixed by the last fragment, -1 until it arrives. */
  total: number;
  /** Storage held. */
  truesize: number;
  expires: Nanoseconds;
}

/** A snapshot of what the queues hold. */
export interface ReassemblySnapshot {
  datagrams: number;
  fragments: number;
  bytes: number;
}

export class Reassembly {
  readonly limits: ReassemblyLimits;
  /** Datagrams in arrival order of their first fragment (oldest first). */
  private readonly queue: Datagram[] = [];
  private readonly timer: Callout<Reassembly>;
  /** Storage held by all queues. */
  heldBytes = 0;
  /** Fragments held by all queues. */
  heldFragments = 0;
  /** Fragments that became part of a reassembled datagram (all of them, the first included). */
  fragmentsJoined = 0;

  /**
   * @param onTimeout called for a timed-out datagram whose first fragment arrived, with that fragment
   *   (borrowed: do not keep or free it) — the ICMP time exceeded hook.
   */
  constructor(
    private readonly host: Host,
    private readonly stats: IpStats,
    private readonly drop: DropCounter<IpDropReason>,
    limits: Partial<ReassemblyLimits>,
    private readonly onTimeout: (first: Mbuf, ifp: Ifnet) => void,
  ) {
    this.limits = checkLimits({ ...DEFAULT_REASSEMBLY_LIMITS, ...limits });
    this.timer = new Callout<Reassembly>(`${host.name}.ip_reass`, (r) => r.expire(), this as Reassembly);
  }

  /** Datagrams currently being reassembled. */
  get datagrams(): number {
    return this.queue.length;
  }

  snapshot(): ReassemblySnapshot {
    return { datagrams: this.queue.length, fragments: this.heldFragments, bytes: this.heldBytes };
  }

  /**
   * `ip_reass`: takes a fragment — a datagram of `hlen` header bytes, already validated by IP input and
   * trimmed to its total length, with the header contiguous in the first mbuf. **Takes ownership of `m`.**
   * Returns the complete datagram (owned by the caller, header contiguous, total length and checksum
   * rewritten, no fragment bits) when this fragment completes it, otherwise null (the fragment is held,
   * or dropped and counted).
   */
  input(m: Mbuf, hlen: number, ifp: Ifnet): Mbuf | null {
    const b = m.buf;
    const o = m.off;
    const v = m.view;
    const ipOff = (b[o + IP_OFF] << 8) | b[o + IP_OFF + 1];
    const start = (ipOff & IP_OFFMASK) << 3;
    const dataLen = m.pkthdr.len - hlen;
    const end = start + dataLen;
    const more = (ipOff & IP_MF) !== 0;
    const lim = this.limits;
    if (dataLen === 0) return this.dropNew(m, ifp, IpDrop.fragEmpty);
    if (more && (dataLen & 7) !== 0) return this.dropNew(m, ifp, IpDrop.fragBadLen);
    const src = v.getUint32(o + IP_SRC);
    const dst = v.getUint32(o + IP_DST);
    const id = (b[o + IP_ID] << 8) | b[o + IP_ID + 1];
    const proto = b[o + IP_P];
    let d = this.find(src, dst, id, proto);
    if (hlen + end > lim.maxDatagramSize) {
      if (d !== undefined) this.discard(d, IpDrop.fragTooBig);
      return this.dropNew(m, ifp, IpDrop.fragTooBig);
    }
    if (d !== undefined) {
      // Duplicates and overlaps against what is held.
      for (let f = d.frags; f !== null; f = f.next) {
        if (f.start === start && f.end === end) return this.dropNew(m, ifp, IpDrop.fragDup);
        if (start < f.end && f.start < end) {
          this.discard(d, IpDrop.fragOverlap);
          return this.dropNew(m, ifp, IpDrop.fragOverlap);
        }
      }
      if (!more) {
        let beyond = d.total >= 0 && d.total !== end;
        for (let f = d.frags; f !== null && !beyond; f = f.next) if (f.end > end) beyond = true;
        if (beyond) {
          this.discard(d, IpDrop.fragBadLen);
          return this.dropNew(m, ifp, IpDrop.fragBadLen);
        }
      } else if (d.total >= 0 && end > d.total) {
        this.discard(d, IpDrop.fragBadLen);
        return this.dropNew(m, ifp, IpDrop.fragBadLen);
      }
      if (d.count >= lim.maxFragments) {
        this.discard(d, IpDrop.fragTooMany);
        return this.dropNew(m, ifp, IpDrop.fragTooMany);
      }
    }
    // While only the pool's reserve (for receive rings) is left, nothing new is held.
    if (m.pool.pressure) return this.dropNew(m, ifp, IpDrop.fragMemPressure);
    // Memory: evict the oldest other datagrams until the fragment fits.
    const size = m_truesize(m);
    while (this.heldBytes + size > lim.maxBytes || (d === undefined && this.queue.length >= lim.maxDatagrams)) {
      const victim = this.queue.find((x) => x !== d);
      if (victim === undefined) break;
      this.discard(victim, IpDrop.fragEvicted);
    }
    if (this.heldBytes + size > lim.maxBytes || (d === undefined && this.queue.length >= lim.maxDatagrams)) {
      return this.dropNew(m, ifp, IpDrop.fragMemory);
    }
    if (d === undefined) {
      d = { src, dst, id, proto, frags: null, count: 0, received: 0, total: -1, truesize: 0, expires: 0 };
      d.expires = this.host.now() + lim.timeout;
      this.queue.push(d);
      this.arm();
    }
    // Insert sorted by offset.
    const frag: Fragment = { start, end, hlen, m, ifp, truesize: size, next: null };
    let prev: Fragment | null = null;
    let cur = d.frags;
    while (cur !== null && cur.start < start) {
      prev = cur;
      cur = cur.next;
    }
    frag.next = cur;
    if (prev === null) d.frags = frag;
    else prev.next = frag;
    d.count++;
    d.received += dataLen;
    d.truesize += size;
    this.heldBytes += size;
    this.heldFragments++;
    if (!more) d.total = end;
    if (d.total < 0 || d.received !== d.total) return null;
    return this.assemble(d);
  }

  /**
   * Frees the datagrams any of whose fragments arrived on `ifp` (it is being detached: their `ifp`
   * references would outlive it), counted `ip.frag.detached` per fragment.
   */
  ifDetach(ifp: Ifnet): void {
    for (let i = 0; i < this.queue.length; ) {
      const d = this.queue[i];
      let hit = false;
      for (let f = d.frags; f !== null && !hit; f = f.next) hit = f.ifp === ifp;
      if (hit) this.discard(d, IpDrop.fragDetached);
      else i++;
    }
  }

  /** Frees everything held (counted `ip.frag.flushed` per fragment). */
  flush(): void {
    while (this.queue.length > 0) this.discard(this.queue[0], IpDrop.fragFlushed);
  }

  private find(src: number, dst: number, id: number, proto: number): Datagram | undefined {
    const q = this.queue;
    for (let i = 0; i < q.length; i++) {
      const d = q[i];
      if (d.id === id && d.src === src && d.dst === dst && d.proto === proto) return d;
    }
    return undefined;
  }

  /** Joins the fragments of a complete datagram; the first one (offset 0) becomes the packet. */
  private assemble(d: Datagram): Mbuf {
    this.remove(d);
    const first = d.frags!;
    const head = first.m;
    for (let f = first.next; f !== null; f = f.next) {
      m_adj(f.m, f.hlen);
      m_cat(head, f.m);
    }
    const b = head.buf;
    const o = head.off;
    const total = first.hlen + d.total;
    b[o + IP_LEN] = total >>> 8;
    b[o + IP_LEN + 1] = total & 0xff;
    // Keep DF and the reserved bit as the first fragment had them; clear MF and the offset.
    b[o + IP_OFF] &= 0xc0;
    b[o + IP_OFF + 1] = 0;
    b[o + IP_SUM] = 0;
    b[o + IP_SUM + 1] = 0;
    const sum = ~cksumBytes(b, o, first.hlen) & 0xffff;
    b[o + IP_SUM] = sum >>> 8;
    b[o + IP_SUM + 1] = sum & 0xff;
    this.stats.reassembled++;
    this.fragmentsJoined += d.count;
    return head;
  }

  /** Drops the fragment just received (not yet held). Returns null for the caller's convenience. */
  private dropNew(m: Mbuf, ifp: Ifnet, reason: IpDropReason): null {
    this.drop.dropInput(m, ifp, reason);
    return null;
  }

  /** Discards a whole datagram: every fragment freed and counted under `reason`. */
  private discard(d: Datagram, reason: IpDropReason): void {
    this.remove(d);
    for (let f = d.frags; f !== null; f = f.next) this.drop.dropInput(f.m, f.ifp, reason);
    d.frags = null;
  }

  /** Takes a datagram off the queue and releases its accounting (its fragments are the caller's). */
  private remove(d: Datagram): void {
    const i = this.queue.indexOf(d);
    if (i >= 0) this.queue.splice(i, 1);
    this.heldBytes -= d.truesize;
    this.heldFragments -= d.count;
    if (this.queue.length === 0) this.host.callouts.stop(this.timer);
  }

  /** Arms the timer for the earliest expiry (one tick late at most, never early). */
  private arm(): void {
    if (this.queue.length === 0) {
      this.host.callouts.stop(this.timer);
      return;
    }
    let earliest = Number.POSITIVE_INFINITY;
    for (const d of this.queue) if (d.expires < earliest) earliest = d.expires;
    const wait = earliest - this.host.now();
    this.host.callouts.reset(this.timer, wait > 0 ? this.host.ticksFor(wait) + 1 : 1);
  }

  /** The timer: discards expired datagrams, sending time exceeded where the first fragment is there. */
  private expire(): void {
    const now = this.host.now();
    for (let i = 0; i < this.queue.length; ) {
      const d = this.queue[i];
      if (d.expires > now) {
        i++;
        continue;
      }
      const first = d.frags;
      if (this.limits.timeExceeded && first !== null && first.start === 0) this.onTimeout(first.m, first.ifp);
      this.discard(d, IpDrop.fragTimeout);
    }
    this.arm();
  }
}
