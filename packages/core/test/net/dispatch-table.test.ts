import { describe, expect, it } from 'vitest';
import { DispatchTable, type Ifnet, type Mbuf } from '../../src/index.js';

describe('DispatchTable', () => {
  it('select counts the packet on the entry or the miss on the table, as dispatch does', () => {
    const t = new DispatchTable('test', 256);
    const seen: number[] = [];
    t.register(17, 'udp', (_m, off) => seen.push(off));
    const e = t.select(17);
    expect(e?.name).toBe('udp');
    expect(e?.packets).toBe(1);
    e?.input(null as unknown as Mbuf, 20, null as unknown as Ifnet);
    expect(seen).toEqual([20]);
    expect(t.select(6)).toBeUndefined();
    expect(t.select(-1)).toBeUndefined();
    expect(t.select(256)).toBeUndefined();
    expect(t.misses).toBe(3);
    // dispatch = select + the call: the same counters.
    expect(t.dispatch(17, null as unknown as Mbuf, 8, null as unknown as Ifnet)).toBe(true);
    expect(t.dispatch(6, null as unknown as Mbuf, 8, null as unknown as Ifnet)).toBe(false);
    expect(seen).toEqual([20, 8]);
    expect(t.lookup(17)?.packets).toBe(2);
    expect(t.misses).toBe(4);
  });
});
