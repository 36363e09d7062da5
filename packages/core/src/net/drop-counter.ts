import { m_freem } from '../mbuf/m-free.js';
import type { Mbuf } from '../mbuf/mbuf.js';
import type { Ifnet } from './ifnet.js';

/**
 * One protocol's drop accounting (BSD's `ipstat`/`udpstat` drop fields, by name): "count the reason and
 * free" in one call, on the protocol's own table **and** on the interface (`ifp.counters.drops` plus
 * `iqdrops` / `oqdrops` / `noproto`), so every drop has exactly one reason in both places.
 *
 * `R` is the protocol's union of reason strings, built from its named constants (`IpDrop.badSum`, ...):
 * a misspelt reason is a type error, not a new counter.
 *
 * Ownership: the `drop*` methods **take `m` and free it** (to its own pool); the `count*` methods are for
 * drops whose mbuf is already gone (a failed `m_pullup` freed it) or never existed.
 *
 * Allocation: a reason's first drop adds one property to the table; after that, nothing.
 */
export class DropCounter<R extends string> {
  /** Drops by reason; usually a protocol's `stats.drops`. Read it freely. */
  readonly drops: Record<string, number>;

  constructor(drops: Record<string, number> = {}) {
    this.drops = drops;
  }

  /** Counts `n` drops under `reason` in the protocol's table only. */
  count(reason: R, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n;
  }

  /** A received packet refused: counted here and on `ifp` (`iqdrops`), freed. */
  dropInput(m: Mbuf, ifp: Ifnet, reason: R): void {
    this.count(reason);
    ifp.dropInput(m, reason);
  }

  /** A received packet lost without an mbuf to free: counted here and on `ifp` (`iqdrops`). */
  countInput(ifp: Ifnet, reason: R): void {
    this.count(reason);
    ifp.countInputDrop(reason);
  }

  /** A received packet for a protocol nobody handles: counted here and on `ifp` (`noproto`), freed. */
  noProto(m: Mbuf, ifp: Ifnet, reason: R): void {
    this.count(reason);
    ifp.noProto(m, reason);
  }

  /** An outgoing packet refused: counted here and on `ifp` when known (`oqdrops`), freed. */
  dropOutput(m: Mbuf, ifp: Ifnet | null, reason: R): void {
    this.count(reason);
    if (ifp !== null) ifp.dropOutput(m, reason);
    else m_freem(m);
  }

  /** An outgoing packet lost without an mbuf to free: counted here and on `ifp` when known (`oqdrops`). */
  countOutput(ifp: Ifnet | null, reason: R): void {
    this.count(reason);
    if (ifp !== null) ifp.countOutputDrop(reason);
  }
}
