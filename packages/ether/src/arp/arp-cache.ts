import type { Ifnet } from '@ifnet/core';
import type { ArpEntry } from './arp-entry.js';

/**
 * The ARP cache of one host: entries by interface and IPv4 address, with the bookkeeping the size bound
 * needs. Lookups are two Map gets; nothing here allocates on the lookup path.
 *
 * The bound counts every entry (incomplete ones too, so a flood of resolutions to dead addresses cannot
 * grow the cache). Only resolved entries are evictable, oldest confirmation first: an incomplete entry
 * has packets waiting and a timer running, and a static one was put there on purpose.
 */
export class ArpCache {
  private readonly byIf = new Map<Ifnet, Map<number, ArpEntry>>();
  /** Resolved entries in order of last confirmation (a Set iterates in insertion order). */
  private readonly resolvedOrder = new Set<ArpEntry>();
  /** Number of entries. */
  size = 0;
  /** Number of incomplete entries. */
  incomplete = 0;

  get(ifp: Ifnet, addr: number): ArpEntry | undefined {
    return this.byIf.get(ifp)?.get(addr);
  }

  /** Adds a new entry (the caller made room). */
  insert(e: ArpEntry): void {
    let m = this.byIf.get(e.ifp);
    if (m === undefined) {
      m = new Map();
      this.byIf.set(e.ifp, m);
    }
    m.set(e.addr, e);
    this.size++;
    if (e.state === 'incomplete') this.incomplete++;
    else if (e.state === 'resolved') this.resolvedOrder.add(e);
  }

  /** Removes an entry (its callout and hold queue are the caller's business). */
  remove(e: ArpEntry): void {
    const m = this.byIf.get(e.ifp);
    if (m === undefined || m.get(e.addr) !== e) return;
    m.delete(e.addr);
    this.size--;
    if (e.state === 'incomplete') this.incomplete--;
    this.resolvedOrder.delete(e);
  }

  /**
   * Records a state change made by the caller (`from` is the previous state) and, for a resolved entry,
   * makes it the youngest.
   */
  changed(e: ArpEntry, from: ArpEntry['state']): void {
    if (from === 'incomplete' && e.state !== 'incomplete') this.incomplete--;
    if (from !== 'incomplete' && e.state === 'incomplete') this.incomplete++;
    this.resolvedOrder.delete(e);
    if (e.state === 'resolved') this.resolvedOrder.add(e);
  }

  /** The resolved entry confirmed longest ago, or undefined. */
  oldestResolved(): ArpEntry | undefined {
    for (const e of this.resolvedOrder) return e;
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
