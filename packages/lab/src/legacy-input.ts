/**
 * The protocol half of the classic BSD receive path, for the `legacy` and `batch` models: what 4.4BSD's
 * `ether_input` did at interrupt level, and the soft interrupt that followed.
 *
 * The top half (the driver's receive, run in the interrupt routine by core's interrupt-work mode) hands
 * each frame up through `if_input`; Ethernet decodes it and looks up IPv4 in the ethertype table, where
 * this module has put itself in place of IPv4's input. There it copies the packet into a freshly
 * allocated one — the `m_devget` of drivers that copied frames out of the card's memory; allocating in
 * interrupt context is allowed in this model only, on a host whose allocation guard counts — frees the
 * receive buffer, and appends the copy to `ipintrq` (core's {@link Netisr}, `IFQ_MAXLEN` 50; overflow
 * is the counted drop `ipintrq.full`), which requests the soft interrupt. The bottom half, `ipintr` at
 * softnet, runs IPv4 and UDP for each queued packet, and hardware interrupts preempt it at every packet.
 *
 * Why here and not in the driver: the production `wm` driver knows nothing of the lab; core's two
 * mechanisms (interrupt-work mode and `Netisr`) are general, and this file is the only lab-specific
 * glue, written against public API only (the dispatch table, the pool, the cost profile).
 */
import {
  type Host,
  IFQ_MAXLEN,
  type Ifnet,
  M_BCAST,
  M_MCAST,
  type Mbuf,
  Netisr,
  type ProtocolInput,
  m_copydata,
} from '@ifnet/core';
import { ETHERTYPE_IP } from '@ifnet/inet';

/** Cost-profile layer charged per copy (`layerDefault`, 300 ns in the default profile, unless named). */
export const COPY_LAYER = 'copy';
/** Drop reason when the pool has no mbuf for the copy. */
export const COPY_NOBUFS = 'legacy.copy.nobufs';
/** Largest frame the copy handles through its scratch buffer (the e1000's jumbo limit). */
const MAX_FRAME = 16_384;

export interface LegacyInputStats {
  /** Frames copied into a fresh packet in the top half. */
  copies: number;
  /** Copies that found the pool empty (dropped as {@link COPY_NOBUFS}). */
  copyFailures: number;
}

export class LegacyInput {
  /** BSD's IP input queue and its soft interrupt. */
  readonly ipintrq: Netisr;
  readonly stats: LegacyInputStats = { copies: 0, copyFailures: 0 };
  private readonly copyLayer: number;
  /** For frames that arrived as a chain (jumbo); one-mbuf frames are copied from their own storage. */
  private readonly scratch = new Uint8Array(MAX_FRAME);

  /** Puts the legacy path in place of IPv4's entry in `host`'s ethertype table (IPv4 must be attached). */
  constructor(
    private readonly host: Host,
    ipintrqLength: number = IFQ_MAXLEN,
  ) {
    const ip = host.ethertypes.lookup(ETHERTYPE_IP);
    if (ip === undefined) throw new Error(`${host.name}: legacy input needs IPv4 (registerInet) attached first`);
    host.ethertypes.unregister(ETHERTYPE_IP);
    this.ipintrq = new Netisr(host, { name: 'ipintrq', maxlen: ipintrqLength, input: ip.input });
    host.ethertypes.register(ETHERTYPE_IP, 'ipintrq', this.topHalf);
    this.copyLayer = host.cpu.layerId(COPY_LAYER);
  }

  /** Ethertype entry for IPv4, called at interrupt level: copy, free the receive buffer, enqueue. Owns `m`. */
  private readonly topHalf: ProtocolInput = (m: Mbuf, off: number, ifp: Ifnet) => {
    const host = this.host;
    host.cpu.chargeLayerId(this.copyLayer);
    const len = m.pkthdr.len - off;
    let copy: Mbuf | null;
    if (m.next === null) {
      copy = host.pool.devget(m.buf, m.off + off, len, ifp);
    } else if (len <= MAX_FRAME) {
      m_copydata(m, off, len, this.scratch, 0);
      copy = host.pool.devget(this.scratch, 0, len, ifp);
    } else {
      copy = null;
    }
    if (copy === null) {
      this.stats.copyFailures++;
      ifp.dropInput(m, COPY_NOBUFS);
      return;
    }
    this.stats.copies++;
    copy.flags |= m.flags & (M_BCAST | M_MCAST);
    copy.pkthdr.csumFlags = m.pkthdr.csumFlags;
    m.pool.freem(m);
    this.ipintrq.enqueue(copy, 0, ifp);
  };
}
