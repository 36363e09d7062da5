import {
  AlwaysUnmaskPolicy,
  type Host,
  HostState,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFT_ETHER,
  type Ifnet,
  M_COPYFLAGS,
  M_PKTHDR,
  type Mbuf,
  MbufQueue,
  type MbufPool,
  type PollContext,
  m_copyback,
} from '@ifnet/core';
import { EpairDrop } from './drop-reasons.js';
import { ETHER_ADDR_LEN, ETHERMTU } from './ether-header.js';

/**
 * epair(4): a pair of Ethernet interfaces connected back to back in software.
 *
 * What is sent on one end arrives at the other, the way a crossover cable would carry it, but with no
 * device model in between. Protocol tests use it to connect two hosts (or two interfaces of one host)
 * without a hardware driver:
 *
 * ```ts
 * const { a, b } = createEpair(h1, h2);       // h1: epair0a, h2: epair0b, both up
 * a.output(m, ETHERTYPE_IP, 0x0a000002);      // ARP-resolves over the pair, then delivers to h2
 * sim.runUntilIdle();
 * ```
 *
 * ## The path of a frame
 *
 * 1. `if_transmit` on end A queues the frame on A's send queue and calls A's `start`.
 * 2. `start` drains the send queue: each frame is counted as sent on A (`opackets`, `obytes`) and put on
 *    B's **receive queue** — copied into B's mbuf pool when B is on another host (hosts share nothing,
 *    not even mbufs), passed as is when both ends are on the same host — then B's poll context is kicked.
 * 3. B's poll continuation runs **on B's host**, at softnet, later: it takes up to its budget (weight 64)
 *    from the receive queue and hands each frame to `B.input`, exactly as a driver's receive poll would.
 *    Output on one end therefore never recurses into input on the other.
 *
 * ## Drops (every frame is delivered or counted)
 *
 * - B's receive queue is full (default 256 frames): counted on B, `iqdrops` and `epair.rxq-full` —
 *   what a NIC whose receive ring is full does.
 * - No mbuf in B's pool for the copy: counted on B, `iqdrops` and `epair.nobufs`.
 * - B is not running (down): counted on A, `oerrors` and `epair.peer-down` (no carrier at the far end).
 * - Taking an end down frees what waits in its receive queue (counted on it, `epair.rxq-purged`).
 *
 * The link state of both ends is `up` from creation, as for FreeBSD's epair, whose media is always
 * active. There is no hardware filter: the Ethernet layer's software destination filter does the work,
 * so promiscuous mode needs no driver support. Frames are not padded to 60 bytes.
 */
export interface EpairOptions {
  /** Link address of the A end. Default `02:00:hh:hh:uu:0a` (h: hash of the host name, u: unit). */
  macA?: Uint8Array;
  /** Link address of the B end. Default `02:00:hh:hh:uu:0b`. */
  macB?: Uint8Array;
  /** Receive queue length of each end, in frames. Default {@link EPAIR_QUEUE_LENGTH}. */
  queueLength?: number;
  /** MTU of both ends. Default 1500. */
  mtu?: number;
  /** Poll budget (weight) of each end's receive poll. Default 64. */
  weight?: number;
  /** Bring both interfaces up (`IFF_UP | IFF_RUNNING`). Default true. */
  up?: boolean;
}

/** Default receive queue length of each end. */
export const EPAIR_QUEUE_LENGTH = 256;

/** The two ends. */
export interface Epair {
  /** The A end, on the first host (`epairNa`). */
  readonly a: Ifnet;
  /** The B end, on the second host (`epairNb`). */
  readonly b: Ifnet;
}

/** Counters of one end beyond the interface counters. */
export interface EpairStats {
  /** Frames put on this end's receive queue by the peer. */
  enqueued: number;
  /** Frames copied from the peer's pool into this host's pool (ends on different hosts). */
  copied: number;
  /** Largest receive queue length seen. */
  queueHighWater: number;
}

/** The driver state of one end (`ifp.softc`). */
export class EpairSoftc {
  /** The other end. Set right after both ends exist. */
  peer!: EpairSoftc;
  /** Frames waiting for this end's receive poll. */
  readonly rxq: MbufQueue;
  ctx!: PollContext;
  readonly stats: EpairStats = { enqueued: 0, copied: 0, queueHighWater: 0 };

  constructor(
    readonly host: Host,
    queueLength: number,
  ) {
    this.rxq = new MbufQueue(queueLength);
  }

  /** The interface of this end. */
  get ifp(): Ifnet {
    return this.ctx.ifp;
  }
}

/** epair units handed out on each host, in its DI container. */
const EPAIR_UNITS = new HostState<{ next: number }>('@ifnet/ether:epair-units', 'no epair was created here');

function nextUnit(host: Host): number {
  const u = EPAIR_UNITS.find(host) ?? EPAIR_UNITS.register(host, { next: 0 });
  return u.next++;
}

/** A 16-bit FNV-1a style hash of a host name, for default MAC addresses. */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h ^ (h >>> 16)) & 0xffff;
}

function defaultMac(host: Host, unit: number, side: number): Uint8Array {
  const h = nameHash(host.name);
  return new Uint8Array([0x02, 0x00, h >>> 8, h & 0xff, unit & 0xff, side]);
}

/** Copies a packet into another pool (the far end is another host). Returns null if that pool is empty. */
function copyToPool(m: Mbuf, pool: MbufPool, rcvif: Ifnet): Mbuf | null {
  const n = pool.devget(m.buf, m.off, m.len, rcvif);
  if (n === null) return null;
  let off = m.len;
  for (let x = m.next; x !== null; x = x.next) {
    if (x.len === 0) continue;
    if (!m_copyback(n, off, x.len, x.buf, x.off)) {
      pool.freem(n);
      return null;
    }
    off += x.len;
  }
  return n;
}

/** Packet-level flags of the sender's side that must not survive the crossing. */
const SCRUB_FLAGS = M_COPYFLAGS & ~M_PKTHDR;

function epairStart(ifp: Ifnet): void {
  const sc = ifp.softc as EpairSoftc;
  const peer = sc.peer;
  const pifp = peer.ifp;
  const sameHost = peer.host === sc.host;
  for (;;) {
    const m = ifp.sendQueue.dequeue(ifp);
    if (m === null) return;
    const len = m.pkthdr.len;
    if (!pifp.running) {
      ifp.counters.oerrors++;
      ifp.countDrop(EpairDrop.peerDown);
      m.pool.freem(m);
      continue;
    }
    ifp.counters.opackets++;
    ifp.counters.obytes += len;
    if (peer.rxq.full) {
      pifp.countInputDrop(EpairDrop.rxqFull);
      m.pool.freem(m);
      continue;
    }
    let n: Mbuf | null = m;
    if (sameHost) {
      m.flags &= ~SCRUB_FLAGS;
      m.pkthdr.reset();
      m.pkthdr.len = len;
      m.pkthdr.rcvif = pifp;
    } else {
      n = copyToPool(m, peer.host.pool, pifp);
      m.pool.freem(m);
      if (n === null) {
        pifp.countInputDrop(EpairDrop.noBufs);
        continue;
      }
      peer.stats.copied++;
    }
    peer.rxq.enqueue(n);
    peer.stats.enqueued++;
    if (peer.rxq.length > peer.stats.queueHighWater) peer.stats.queueHighWater = peer.rxq.length;
    peer.ctx.kick();
  }
}

function epairStop(ifp: Ifnet): void {
  const sc = ifp.softc as EpairSoftc;
  const n = sc.rxq.purge();
  if (n > 0) {
    ifp.counters.iqdrops += n;
    ifp.countDrop(EpairDrop.rxqPurged, n);
  }
}

function epairPoll(ctx: PollContext, budget: number): number {
  const ifp = ctx.ifp;
  const sc = ifp.softc as EpairSoftc;
  let n = 0;
  while (n < budget) {
    const m = sc.rxq.dequeue();
    if (m === null) break;
    n++;
    m.pkthdr.timestamp = ifp.host.now(); // received now, on this host's clock
    ifp.input(m);
  }
  return n;
}

function attachEnd(
  host: Host,
  name: string,
  unit: number,
  mac: Uint8Array,
  options: EpairOptions,
  sc: EpairSoftc,
): Ifnet {
  if (mac.length !== ETHER_ADDR_LEN) throw new RangeError(`${name}: MAC address must be 6 bytes`);
  const mtu = options.mtu ?? ETHERMTU;
  const ifp = host.ifAttach({
    name: 'epair',
    ifname: name, // if_initname: epair<unit>a / epair<unit>b
    unit,
    ifType: IFT_ETHER,
    lladdr: mac,
    mtu,
    flags: IFF_BROADCAST | IFF_MULTICAST,
    softc: sc,
    ops: {
      init() {},
      stop: epairStop,
      start: epairStart,
      updateFilter() {}, // no hardware filter: ether_input filters in software
    },
  });
  sc.ctx = ifp.addPollContext({
    name: `${name}.rx`,
    weight: options.weight,
    maskOnDefer: false,
    ops: {
      poll: epairPoll,
      intrEnable() {},
      intrDisable() {},
      workPending: (c) => (c.ifp.softc as EpairSoftc).rxq.length > 0,
    },
    // A software interface has no interrupt to mitigate.
    policy: () => new AlwaysUnmaskPolicy(),
  });
  return ifp;
}

/**
 * Creates an epair: end A (`epair<N>a`) on `hostA`, end B (`epair<M>b`) on `hostB`, wired back to back.
 * Units are counted per host (`N` on host A, `M` on host B); when both ends are on one host they share
 * the unit (`epair0a`, `epair0b`). Both hosts need the Ethernet link layer registered
 * (`registerEther(platform)`). Returns both interfaces, up unless `options.up === false`.
 */
export function createEpair(hostA: Host, hostB: Host, options: EpairOptions = {}): Epair {
  const qlen = options.queueLength ?? EPAIR_QUEUE_LENGTH;
  if (!Number.isInteger(qlen) || qlen < 1) throw new RangeError(`epair: queue length ${qlen}`);
  const mtu = options.mtu ?? ETHERMTU;
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new RangeError(`epair: MTU ${mtu} (68..65535)`);
  const w = options.weight;
  if (w !== undefined && (!Number.isInteger(w) || w < 1)) throw new RangeError(`epair: weight ${w}`);
  if (options.up !== undefined && typeof options.up !== 'boolean') throw new RangeError('epair: up must be a boolean');
  const unitA = nextUnit(hostA);
  const unitB = hostB === hostA ? unitA : nextUnit(hostB);
  const sa = new EpairSoftc(hostA, qlen);
  const sb = new EpairSoftc(hostB, qlen);
  sa.peer = sb;
  sb.peer = sa;
  const a = attachEnd(hostA, `epair${unitA}a`, unitA, options.macA ?? defaultMac(hostA, unitA, 0x0a), options, sa);
  const b = attachEnd(hostB, `epair${unitB}b`, unitB, options.macB ?? defaultMac(hostB, unitB, 0x0b), options, sb);
  a.setLinkState('up');
  b.setLinkState('up');
  if (options.up !== false) {
    a.upIf();
    b.upIf();
  }
  return { a, b };
}

/** The epair driver state of an interface, or undefined if it is not an epair end. */
export function epairSoftc(ifp: Ifnet): EpairSoftc | undefined {
  return ifp.softc instanceof EpairSoftc ? ifp.softc : undefined;
}
