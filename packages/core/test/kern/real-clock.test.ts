import { describe, expect, it } from 'vitest';
import { Callout, type Mbuf, RealTimeRunner, createPlatform, m_copydata } from '../../src/index.js';

describe('the real clock runs the same kernel code', () => {
  it('loops packets through lo0 and fires callouts in wall time', async () => {
    const runner = new RealTimeRunner();
    const platform = createPlatform();
    const got: string[] = [];
    let resolveAll!: () => void;
    const allIn = new Promise<void>((r) => {
      resolveAll = r;
    });
    platform.registerProtocol({
      name: 'echo-test',
      attach(host) {
        host.ethertypes.register(0x88b5, 'test', (m: Mbuf) => {
          const b = new Uint8Array(m.pkthdr.len);
          m_copydata(m, 0, b.length, b, 0);
          got.push(new TextDecoder().decode(b));
          m.pool.freem(m);
          if (got.length === 3) resolveAll();
        });
      },
    });
    const host = platform.createHost({ name: 'real', runner, hz: 100 });
    try {
      const start = performance.now();
      for (const word of ['a', 'bb', 'ccc']) {
        const m = host.pool.devget(new TextEncoder().encode(word), 0, word.length, null)!;
        host.lo0!.output(m, 0x88b5, null);
      }
      await allIn;
      expect(got).toEqual(['a', 'bb', 'ccc']);

      const fired = new Promise<number>((resolve) => {
        host.callouts.reset(new Callout('wall', () => resolve(performance.now() - start), null), 3);
      });
      const elapsed = await fired;
      // Three ticks at hz=100 are at least 20 ms of wall time away (the first boundary may be close).
      expect(elapsed).toBeGreaterThanOrEqual(20);
      expect(host.lo0!.counters.ipackets).toBe(3);
      host.pool.assertQuiescent();
    } finally {
      runner.stop();
    }
  });
});
