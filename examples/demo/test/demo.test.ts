import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo.js';

describe('the demo', () => {
  it('runs end to end and reports a working network and an accounted-for overload experiment', async () => {
    const lines: string[] = [];
    const r = await runDemo({
      rates: [10_000, 1_488_095],
      policies: ['rate-threshold', 'no-fair-share'],
      windowMs: 20,
      log: (l) => lines.push(l),
    });
    expect(r.addresses.map((a) => `${a.host}:${a.ifname}:${a.mac}:${a.addr}`)).toEqual([
      'a:wm0:02:00:00:00:00:0a:10.0.0.1/24',
      'b:wm0:02:00:00:00:00:0b:10.0.0.2/24',
    ]);
    expect(r.arp).toBe('10.0.0.2 at 02:00:00:00:00:0b on wm0 (resolved)');
    expect(r.pings.map((p) => [p.size, p.fragments])).toEqual([
      [56, 1],
      [4000, 3],
    ]);
    expect(r.pings[0].rttUs).toBeGreaterThan(1); // two cable crossings of 500 ns at least
    expect(r.echo.text).toBe('hello, ifnet');
    expect(r.overload).toHaveLength(4);
    for (const row of r.overload) expect(row.accounted).toBe(true);
    const [lowTick, overTick, lowStarve, overStarve] = r.overload;
    // Low load: everything delivered; the rate threshold polls on the tick instead of interrupting.
    expect(lowTick.delivered).toBe(10_000);
    expect(lowTick.interruptsPerSec).toBe(0);
    expect(lowStarve.delivered).toBe(10_000);
    expect(lowStarve.interruptsPerSec).toBe(10_000);
    // Overload: the NIC drops the excess, no interrupts; with the fair share the application still gets
    // datagrams, without it none.
    expect(overTick.deviceMissed).toBeGreaterThan(500_000);
    expect(overTick.interruptsPerSec).toBe(0);
    expect(overTick.delivered).toBeGreaterThan(10_000);
    expect(overStarve.delivered).toBe(0);
    expect(overStarve.cpuSoftnet).toBeGreaterThan(0.99);
    expect(lines.at(-1)).toBe('   Every offered frame accounted for in every run: yes.');
    // Same seed, same numbers.
    const again = await runDemo({ rates: [10_000], policies: ['rate-threshold'], windowMs: 20, log: () => {} });
    expect(again.overload[0]).toEqual(lowTick);
  });
});
