import { describe, expect, it } from 'vitest';
import { type Mbuf, Simulation, createPlatform, m_copydata } from '../../src/index.js';

describe('lo0', () => {
  it('loops a packet back through the send queue, the poll continuation and table dispatch', () => {
    const sim = new Simulation({ seed: 1 });
    const platform = createPlatform();
    const received: string[] = [];
    platform.registerProtocol({
      name: 'test-proto',
      attach(host) {
        host.ethertypes.register(0x88b5, 'local-experimental', (m: Mbuf, off, ifp) => {
          const bytes = new Uint8Array(m.pkthdr.len - off);
          m_copydata(m, off, bytes.length, bytes, 0);
          received.push(`${ifp.name}:${new TextDecoder().decode(bytes)}`);
          m.pool.freem(m);
        });
      },
    });
    const host = platform.createHost({ name: 'h', runner: sim });
    const lo = host.lo0!;
    const m = host.pool.devget(new TextEncoder().encode('hello'), 0, 5, null)!;
    expect(lo.output(m, 0x88b5, null)).toBe(true);
    const m2 = host.pool.devget(new TextEncoder().encode('nobody'), 0, 6, null)!;
    expect(lo.output(m2, 0x1234, null)).toBe(true);
    expect(received).toEqual([]);
    expect(sim.runUntilIdle()).toBe(true);
    expect(received).toEqual(['lo0:hello']);
    expect(lo.counters.ipackets).toBe(2);
    expect(lo.counters.opackets).toBe(2);
    expect(lo.counters.noproto).toBe(1);
    expect(lo.counters.drops).toEqual({ noproto: 1 });
    expect(lo.counters.polls).toBe(1);
    host.pool.assertQuiescent();
  });
});
