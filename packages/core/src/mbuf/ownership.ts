/**
 * Whose mbuf is this? Every mbuf belongs to one pool ({@link Mbuf.pool}), and a pool's arena is mapped
 * into one DMA space (one host's memory). An mbuf of another host's pool handed to this host's output
 * path would make the device DMA from the wrong host's memory (its `busAddr` means nothing here), and the
 * driver would free it into the wrong pool. So every API boundary where a caller hands a packet in
 * (`if_output`, `if_transmit`, `if_input`) refuses a foreign chain with a clear error, before taking
 * ownership: the caller still owns it, and a relay copies it into the right pool (`pool.devget`, or
 * `copyToPool` in `@ifnet/ether`'s epair) instead.
 *
 * A pool belongs to a host when it *is* the host's pool or is mapped into the host's DMA space (a
 * driver's own receive pool, say). Protocol packages call the same {@link assertOwnMbuf} wherever an
 * application hands them a packet. The check is one or two comparisons per mbuf of the chain.
 *
 * @module
 */
import type { DmaSpace } from '../bus/dma.js';
import { MbufError } from './errors.js';
import type { Mbuf } from './mbuf.js';
import { MbufPool } from './pool.js';

/** What owns mbufs: a pool, or anything with a pool and a DMA space (a `Host`). */
export interface MbufOwner {
  readonly name: string;
  readonly pool: MbufPool;
  readonly dma: DmaSpace;
  /**
   * The last pool {@link hostOwnsChain} found to belong to this owner, or null: a one-entry cache that
   * makes the test of the next packet one compare per mbuf. A pool's owner never changes (its DMA space
   * and the host's are fixed at creation), so the entry never goes stale. Optional: an owner without it
   * is checked in full every time.
   */
  ownedPool?: MbufPool | null;
}

/** Whether the single mbuf `m` belongs to `owner` (its pool, or a pool mapped into its DMA space). */
export function ownsMbuf(owner: MbufOwner | MbufPool, m: Mbuf): boolean {
  if (owner instanceof MbufPool) return m.pool === owner;
  return hostOwnsMbuf(owner, m);
}

/**
 * {@link ownsMbuf} for a host (or anything with a pool and a DMA space): two comparisons, no `instanceof`,
 * for the per-packet check of `if_input`.
 */
export function hostOwnsMbuf(owner: MbufOwner, m: Mbuf): boolean {
  const p = m.pool;
  return p === owner.pool || (p.dma !== null && p.dma === owner.dma);
}

/**
 * Throws {@link MbufError} (`'foreign'`) if any mbuf of chain `m` belongs to another host or pool, and
 * (`'use-after-free'`) if one is free. `where` names the boundary for the message (`wm0: if_output`).
 * Nothing is changed: on a throw the caller still owns `m`.
 */
export function assertOwnMbuf(owner: MbufOwner | MbufPool, m: Mbuf, where: string): void {
  for (let x: Mbuf | null = m; x !== null; x = x.next) {
    if (!ownsMbuf(owner, x)) foreign(owner, x, where);
    if (x.isFree) throw new MbufError('use-after-free', `${where}: mbuf #${x.index} of pool '${x.pool.name}' is free`);
  }
}

/**
 * Whether every mbuf of chain `m` belongs to `owner` and none is free: the allocation-free test a hot
 * path makes before calling {@link assertOwnMbuf} (whose `where` string would otherwise be built per packet).
 */
export function ownsChain(owner: MbufOwner | MbufPool, m: Mbuf): boolean {
  if (owner instanceof MbufPool) {
    for (let x: Mbuf | null = m; x !== null; x = x.next) if (x.pool !== owner || x.isFree === true) return false;
    return true;
  }
  return hostOwnsChain(owner, m);
}

/**
 * {@link ownsChain} for a host (or anything with a pool and a DMA space): what every output boundary of
 * the data path asks of every packet (`if_output`, `if_transmit`, `ether_output`, `ip_output`: four
 * times per echo reply), so it is kept small enough for V8 to inline: for a one-mbuf packet, one compare
 * against the pool last found to be the owner's ({@link MbufOwner.ownedPool}, which `if_input` keeps
 * current too) plus the chain and free-list tests; the full test out of line otherwise.
 */
export function hostOwnsChain(owner: MbufOwner, m: Mbuf): boolean {
  return (m.pool === owner.ownedPool && m.next === null && m.isFree === false) || ownsChainFull(owner, m);
}

/**
 * {@link hostOwnsChain}'s full test, for a chain of more than one mbuf or a pool other than the cached
 * one: a passing chain's last mbuf's pool becomes the owner's `ownedPool`.
 */
function ownsChainFull(owner: MbufOwner, m: Mbuf): boolean {
  let last = m;
  for (let x: Mbuf | null = m; x !== null; x = x.next) {
    if (!hostOwnsMbuf(owner, x) || x.isFree) return false;
    last = x;
  }
  if (owner.ownedPool !== undefined) owner.ownedPool = last.pool;
  return true;
}

function foreign(owner: MbufOwner | MbufPool, x: Mbuf, where: string): never {
  throw new MbufError(
    'foreign',
    `${where}: mbuf #${x.index} comes from pool '${x.pool.name}', not from ${owner instanceof MbufPool ? 'pool' : 'host'} ` +
      `'${owner.name}' (copy it into this host's pool first)`,
  );
}
