import { type Host, type Mbuf, m_freem } from '@ifnet/core';

/**
 * Whether `m` belongs to `host`: allocated from its pool. An mbuf of another host's pool (a relay app
 * forwarding between hosts would hand one in) must never reach a device — the DMA would read the other
 * host's memory, and the free would go to a pool that is not ours. Output APIs refuse it at the door.
 */
export function isHostMbuf(host: Host, m: Mbuf): boolean {
  return m.pool === host.pool;
}

/**
 * Refuses a foreign mbuf at an API boundary: frees it (into its own pool: the call took ownership) and
 * throws a RangeError naming both hosts. Callers that own `m` call it first thing; one comparison.
 */
export function refuseForeignMbuf(host: Host, m: Mbuf, what: string): void {
  if (m.pool === host.pool) return;
  const owner = m.pool.name;
  m_freem(m);
  throw new RangeError(
    `${what}: mbuf belongs to pool ${owner}, not to ${host.name}'s pool ${host.pool.name} (copy it with m_devget/m_copydata first)`,
  );
}
