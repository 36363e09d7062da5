/**
 * The channel endpoint (gVisor's `channel.Endpoint`): an interface with no hardware behind it, for tests.
 * A test *injects* inbound packets — they enter through `if_input` exactly as a driver's poll would hand
 * them up — and *collects* what the stack sends out, as copies.
 *
 * Two framings:
 * - **link** (default): the interface has a real interface type (Ethernet, say) and the host's link layer
 *   for it frames and decodes; outbound frames are collected at `if_start`, link header included.
 * - **raw**: no link header at all (`IFT_OTHER` with the channel's own link layer): an injected packet is
 *   dispatched straight to the protocol `raw.proto` (e.g. 0x0800, IPv4), and `if_output` collects each
 *   packet with the protocol and next hop the stack gave it.
 *
 * Ownership: `inject` copies the bytes into a new packet from the host's pool and hands it to `if_input`
 * (which owns it from then on); `injectMbuf` hands over the caller's mbuf. Collected packets are copies;
 * the mbufs are freed at once, so a channel never holds an mbuf. The collection is bounded
 * ({@link ChannelOptions.limit}); beyond it outbound packets are dropped as `channel.full`.
 *
 * @module
 */
import type { Host } from '../host/host.js';
import { m_copydata } from '../mbuf/m-copydata.js';
import type { Mbuf } from '../mbuf/mbuf.js';
import type { MbufPool } from '../mbuf/pool.js';
import { IFF_BROADCAST, IFF_MULTICAST, type Ifnet } from './ifnet.js';
import { IFT_ETHER, IFT_OTHER, type LinkLayer } from './link-layer.js';

/** One packet the stack sent out of a channel. */
export interface ChannelPacket {
  /** A copy of the packet (with its link header in link mode). */
  readonly bytes: Uint8Array;
  /** Raw mode: the protocol (ethertype) the stack sent it as; link mode: `NaN`. */
  readonly proto: number;
  /** Raw mode: the next hop the stack gave `if_output`; link mode: `undefined`. */
  readonly dst: unknown;
}

export interface ChannelOptions {
  /** Driver name; the host adds the unit (`ch0`). Default `ch`. */
  name?: string;
  /** Interface type whose link layer frames the channel (link mode). Default `IFT_ETHER`. */
  ifType?: number;
  /** Raw mode: no link header; injected packets are dispatched as `proto`. */
  raw?: { proto: number };
  lladdr?: Uint8Array;
  mtu?: number;
  maxMtu?: number;
  flags?: number;
  /** Outbound packets kept before further ones are dropped (`channel.full`). Default 4096. */
  limit?: number;
  /** Bring the interface up (and its link state up) at once. Default true. */
  up?: boolean;
}

/** Options of {@link ChannelEndpoint.inject}. */
export interface InjectOptions {
  /** Mbuf flags to add (e.g. `M_BCAST`). */
  flags?: number;
  /** Split the packet into mbufs of at most this many bytes. */
  chunk?: number;
}

/** The raw framing: input dispatches to the channel's protocol, output collects. */
const rawLinkLayer: LinkLayer = {
  ifType: IFT_OTHER,
  name: 'channel-raw',
  hdrlen: 0,
  addrlen: 0,
  input(ifp, m) {
    const ch = ifp.softc as ChannelEndpoint;
    if (!ifp.host.ethertypes.dispatch(ch.rawProto, m, 0, ifp)) ifp.noProto(m);
  },
  output(ifp, m, proto, dst) {
    return (ifp.softc as ChannelEndpoint).collect(m, proto, dst);
  },
};

export class ChannelEndpoint {
  readonly ifp: Ifnet;
  /** Outbound packets, oldest first (a plain array: tests may read, splice or clear it). */
  readonly sent: ChannelPacket[] = [];
  /** Raw mode's protocol for injected packets (NaN in link mode). */
  readonly rawProto: number;
  private readonly limit: number;
  private readonly notify: ((p: ChannelPacket) => void)[] = [];

  constructor(
    readonly host: Host,
    options: ChannelOptions = {},
  ) {
    this.limit = options.limit ?? 4096;
    const raw = options.raw !== undefined;
    this.rawProto = options.raw?.proto ?? Number.NaN;
    if (raw && host.linkLayer(IFT_OTHER) === undefined) host.addLinkLayer(rawLinkLayer);
    const self = this;
    this.ifp = host.ifAttach({
      name: options.name ?? 'ch',
      ifType: raw ? IFT_OTHER : (options.ifType ?? IFT_ETHER),
      lladdr: options.lladdr,
      mtu: options.mtu ?? 1500,
      maxMtu: options.maxMtu ?? (raw ? 65535 : undefined),
      flags: options.flags ?? (raw ? 0 : IFF_BROADCAST | IFF_MULTICAST),
      softc: this,
      ops: {
        init() {},
        stop() {},
        start(ifp) {
          for (let m = ifp.sendQueue.dequeue(ifp); m !== null; m = ifp.sendQueue.dequeue(ifp))
            self.collect(m, Number.NaN, undefined);
        },
      },
    });
    if (options.up ?? true) {
      this.ifp.setLinkState('up');
      this.ifp.upIf();
    }
  }

  /** Calls `fn` for every packet collected from now on (gVisor's `AddNotify`). */
  addNotify(fn: (p: ChannelPacket) => void): void {
    this.notify.push(fn);
  }

  /** @internal Copies and frees an outbound packet. Returns false when the collection is full (counted). */
  collect(m: Mbuf, proto: number, dst: unknown): boolean {
    const ifp = this.ifp;
    if (this.sent.length >= this.limit) {
      ifp.dropOutput(m, 'channel.full');
      return false;
    }
    const bytes = new Uint8Array(m.pkthdr.len);
    m_copydata(m, 0, bytes.length, bytes, 0);
    ifp.counters.opackets++;
    ifp.counters.obytes += bytes.length;
    m.pool.freem(m);
    const p: ChannelPacket = { bytes, proto, dst };
    this.sent.push(p);
    for (const fn of this.notify) fn(p);
    return true;
  }

  /** Takes the oldest collected packet (gVisor's `Read`). */
  read(): ChannelPacket | undefined {
    return this.sent.shift();
  }

  /** Takes every collected packet (gVisor's `Drain`). */
  drain(): ChannelPacket[] {
    return this.sent.splice(0);
  }

  /**
   * Injects `bytes` as a received packet: copied into a new packet from the host's pool (split into mbufs
   * of `chunk` bytes if given), with mbuf `flags` (e.g. `M_BCAST`) added, then handed to `if_input`.
   * Returns false when the pool had no mbuf for it. Nothing is counted then: the packet never existed on
   * this host, and the test that offered it knows (the interface's drop counters stay the stack's own).
   */
  inject(bytes: Uint8Array, options?: InjectOptions): boolean {
    // No `options = {}` default: a default object literal is a new object (about 56 bytes) on every call
    // that omits it — the whole per-packet heap cost of an injected datagram to a socket, before.
    const m = packetFromBytes(this.host.pool, bytes, options?.chunk);
    if (m === null) return false;
    if (options !== undefined && options.flags !== undefined) m.flags |= options.flags;
    this.injectMbuf(m);
    return true;
  }

  /** Hands `m` (a packet with a header) to `if_input`, which owns it from then on. */
  injectMbuf(m: Mbuf): void {
    m.pkthdr.rcvif = this.ifp;
    this.ifp.input(m);
  }
}

/**
 * A packet holding a copy of `bytes`: one mbuf (`m_devget`), or a chain of mbufs of at most `chunk` bytes
 * each (to exercise code that must handle headers split across mbufs). `null` when the pool runs out.
 */
export function packetFromBytes(pool: MbufPool, bytes: Uint8Array, chunk?: number): Mbuf | null {
  if (chunk === undefined || bytes.length <= chunk) return pool.devget(bytes, 0, bytes.length, null);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`packetFromBytes: bad chunk ${chunk}`);
  const head = pool.gethdr();
  if (head === null) return null;
  let tail = head;
  let pos = 0;
  for (;;) {
    const k = Math.min(chunk, bytes.length - pos, tail.capacity);
    tail.off = 0;
    tail.len = k;
    for (let i = 0; i < k; i++) tail.buf[i] = bytes[pos + i];
    pos += k;
    if (pos >= bytes.length) break;
    const n = pool.get();
    if (n === null) {
      pool.freem(head);
      return null;
    }
    tail.next = n;
    tail = n;
  }
  head.pkthdr.len = bytes.length;
  return head;
}

/** A channel endpoint on `host` (see {@link ChannelEndpoint}). */
export function createChannelEndpoint(host: Host, options?: ChannelOptions): ChannelEndpoint {
  return new ChannelEndpoint(host, options);
}
