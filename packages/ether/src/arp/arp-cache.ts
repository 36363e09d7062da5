import type { Ifnet } from '@ifnet/core';
import type { ArpEntry } from './arp-entry.js';

/**
 * The ARP cache of one host: entries by interface and IPv4 address, with the bookkeeping the size bound
 * needs. Lookups are two Map gets; nothing here allocates on the lookup path.
 *
 * The bound counts every entry (incomplete ones too, so a flood of resolutions to dead addresses cannot
 * grow the cache). Resolved entries are evicted first, oldest confirmation first; when none is left, the
 * oldest incomplete entry goes (its held packets are dropped), so a flood of resolutions cannot lock
 * the cache for the whole resolution timeout. Static entries were put there on purpose: never evicted.
 */
export class ArpCache {
  private readonly byIf = new Map<Ifnet, Map<number, ArpEntry>>();
  /** Resolved entries in order of last confirmation (a Set iterates in insertion order). */
  private readonly resolvedOrder = new Set<ArpEntry>();
  /** Incomplete entries in order of creation. */
  private readonly incompleteOrder = new Set<ArpEntry>();
  /** Number of entries. */
  size = 0;
  /** Number of incomplete entries. */
  incomplete = 0;
  /**
   * The entry {@link get} found last (null: none), checked before the two Map lookups (keyed by object,
   * then by address: 10–15 ns per packet on the output path, where a stream goes to one next hop —
   * the one-entry cache BSD's `ip_output` keeps in its route). Forgotten when that entry is removed.
   */
  private last: ArpEntry | null = null;

  /**
   * The entry for `addr` on `ifp`. Keys are the signed form `addr | 0`, so an address at or above
   * 128.0.0.0 given in either form (`a >>> 0` or `a | 0`) is found, and one in signed form is a small
   * integer all the way (an unsigned one that large is a heap number wherever it crosses a call).
   */
  get(ifp: Ifnet, addr: number): ArpEntry | undefined {
    const last = this.last;
    if (last !== null && last.ifp === ifp && (last.addr | 0) === (addr | 0)) return last;
    const e = this.byIf.get(ifp)?.get(addr | 0);
    if (e !== undefined) this.last = e;
    return e;
  }

  /** Adds a new entry (the caller made room). */
  insert(e: ArpEntry): void {
    let m = this.byIf.get(e.ifp);
    if (m === undefined) {
      m = new Map();
      this.byIf.set(e.ifp, m);
    }
    m.set(e.addr | 0, e);
    this.size++;
    if (e.state === 'incomplete') {
      this.incomplete++;
      this.incompleteOrder.add(e);
    } else if (e.state === 'resolved') this.resolvedOrder.add(e);
  }

  /** Removes an entry (its callout and hold queue are the caller's business). */
  remove(e: ArpEntry): void {
    const m = this.byIf.get(e.ifp);
    if (m === undefined || m.get(e.addr | 0) !== e) return;
    m.delete(e.addr | 0);
    if (this.last === e) this.last = null;
    this.size--;
    if (e.state === 'incomplete') this.incomplete--;
    this.resolvedOrder.delete(e);
    this.incompleteOrder.delete(e);
  }

  /**
   * Records a state change made by the caller (`from` is the previous state) and, for a resolved entry,
   * makes it the youngest.
   */
  changed(e: ArpEntry, from: ArpEntry['state']): void {
    if (from === 'incomplete' && e.state !== 'incomplete') {
      this.incomplete--;
      this.incompleteOrder.delete(e);
    }
    if (from !== 'incomplete' && e.state === 'incomplete') {
      this.incomplete++;
      this.incompleteOrder.add(e);
    }
    this.resolvedOrder.delete(e);
    if (e.state === 'resolved') this.resolvedOrder.add(e);
  }

  /** The resolved entry confirmed longest ago, or undefined. */
  oldestResolved(): ArpEntry | undefined {
    for (const e of this.resolvedOrder) return e;
    return undefined;
  }

  /** The incomplete entry created longest ago, or undefined. */
  oldestIncomplete(): ArpEntry | undefined {
    for (const e of this.incompleteOrder) return e;
    return undefined;
  }

  /** The oldest incomplete entry holding packets, or undefined. */
  oldestHolding(): ArpEntry | undefined {
    for (const e of this.incompleteOrder) if (e.hold.length > 0) return e;
    return undefined;
  }

  /** Every entry, by interface then address insertion order. */
  *entries(): IterableIterator<ArpEntry> {
    for (const m of this.byIf.values()) yield* m.values();
  }

  /** Entries of one interface. */
  *entriesOf(ifp: Ifnet): IterableIterator<ArpEntry> {
    const m = this.byIf.get(ifp);
    if (m !== undefined) yield* m.values();
  }
}
