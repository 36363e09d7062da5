import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/index.js';

describe('the demo', () => {
  it('runs an e1000 and an NE2000 host end to end, then an accounted-for livelock sweep', async () => {
    const lines: string[] = [];
    const r = await runDemo({
      rates: [10_000, 1_488_095],
      models: ['continuation', 'napi'],
      windowMs: 10,
      log: (l) => lines.push(l),
    });
    expect(r.addresses.map((a) => `${a.host}:${a.ifname}:${a.mac}:${a.addr}`)).toEqual([
      'a:wm0:02:00:00:00:00:0a:10.0.0.1/24',
      'b:ne0:02:00:00:00:00:0b:10.0.0.2/24',
    ]);
    expect(r.arp).toBe('10.0.0.2 at 02:00:00:00:00:0b on wm0 (resolved)');
    expect(r.pings.map((p) => [p.size, p.fragments])).toEqual([
      [56, 1],
      [4000, 3],
    ]);
    expect(r.echo.text).toBe('hello, ifnet');
    expect(r.echo.rttUs).toBeGreaterThan(0);
    expect(r.echo.rttUs).toBeLessThan(100_000);
    expect(r.netstat[0]).toMatch(/^Name\s+Mtu\s+Address\s+Ipkts\s+Ierrs\s+Idrop\s+Opkts/);
    expect(r.netstat[1]).toMatch(/^a:wm0\s+1500\s+02:00:00:00:00:0a\s+[1-9]/);
    expect(r.netstat[2]).toMatch(/^b:ne0\s+1500\s+02:00:00:00:00:0b\s+[1-9]/);
    expect(Object.keys(r.livelock.models)).toEqual(['continuation', 'napi']);
    expect(r.livelock.models.napi[0].delivered_pps).toBe(10_000);
    expect(lines.at(-1)).toBe('   Every offered frame accounted for in every run: yes.');
  });
});
