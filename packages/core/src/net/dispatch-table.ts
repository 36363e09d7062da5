import type { Mbuf } from '../mbuf/mbuf.js';
import type { Ifnet } from './ifnet.js';

/**
 * A protocol input routine (`pr_input`). It is called directly from `if_input` — no protocol input
 * queue in between (seed 000: no `ipintrq`) — and **owns `m` from then on**: it delivers, forwards or frees
 * it. `off` is the offset of this protocol's header in the packet.
 */
export type ProtocolInput = (m: Mbuf, off: number, ifp: Ifnet) => void;

/** One registered protocol. */
export interface ProtocolEntry {
  readonly key: number;
  readonly name: string;
  readonly input: ProtocolInput;
  /** Packets dispatched to it. */
  packets: number;
}

/**
 * A dispatch table: protocol selection by a **table lookup** on a small integer key (an ethertype, an
 * IP protocol number), as NetBSD's `ip_protox[]`. The table is a dense array, so a lookup is one index.
 *
 * Registration happens once, at boot, through DI (protocol packages' `attach`); a second registration
 * for a key is an error, not a silent override. Unknown keys are the caller's counted drop.
 */
export class DispatchTable {
  private readonly entries: (ProtocolEntry | undefined)[];
  /** Lookups that found nothing. */
  misses = 0;

  constructor(
    readonly name: string,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1 || size > 65536) throw new RangeError(`dispatch table size ${size}`);
    this.entries = new Array(size).fill(undefined);
  }

  /** Registers `input` for `key`. Throws if the key is out of range or taken. */
  register(key: number, name: string, input: ProtocolInput): ProtocolEntry {
    this.checkKey(key);
    const existing = this.entries[key];
    if (existing !== undefined) {
      throw new Error(`${this.name}: key 0x${key.toString(16)} already registered by ${existing.name}`);
    }
    const entry: ProtocolEntry = { key, name, input, packets: 0 };
    this.entries[key] = entry;
    return entry;
  }

  /** Removes the registration for `key` (package unload, tests). */
  unregister(key: number): void {
    this.checkKey(key);
    this.entries[key] = undefined;
  }

  private checkKey(key: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= this.size) {
      throw new RangeError(`${this.name}: key ${key} out of range 0..${this.size - 1}`);
    }
  }

  lookup(key: number): ProtocolEntry | undefined {
    return key >= 0 && key < this.size ? this.entries[key] : undefined;
  }

  /**
   * Looks `key` up and calls its input with `m` (ownership passes). Returns false — and leaves `m` with
   * the caller, who counts and frees it — when nothing is registered.
   */
  dispatch(key: number, m: Mbuf, off: number, ifp: Ifnet): boolean {
    const e = this.select(key);
    if (e === undefined) return false;
    e.input(m, off, ifp);
    return true;
  }

  /**
   * The first half of {@link dispatch}, for a data path that makes the call itself: the entry for `key`
   * with the packet counted on it, or undefined with the miss counted (the caller then counts its drop
   * and frees). The point is the call site: `dispatch`'s one `e.input(...)` is shared by every table and
   * protocol, so V8 sees it polymorphic and calls through it; a link layer's own `e.input(...)` sees the
   * protocols of its own table only — one, on most hosts — and may inline a small one (Ethernet → a
   * protocol's input with no `dispatch` frame between them, as BSD's `ether_input` indexes its switch).
   */
  select(key: number): ProtocolEntry | undefined {
    const e = key >= 0 && key < this.size ? this.entries[key] : undefined;
    if (e === undefined) this.misses++;
    else e.packets++;
    return e;
  }

  /** Registered entries, in key order. */
  list(): ProtocolEntry[] {
    return this.entries.filter((e): e is ProtocolEntry => e !== undefined);
  }
}
