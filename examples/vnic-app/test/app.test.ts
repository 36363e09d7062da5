import { describe, expect, it } from 'vitest';
import { runVnicApp } from '../src/app.js';

describe('the vnic example app', () => {
  it('pings (small and fragmented) and echoes UDP between two vnic hosts', async () => {
    const lines: string[] = [];
    const r = await runVnicApp((l) => lines.push(l));
    expect(r.interfaces).toEqual([
      'a: vnic0 (driver vnic) inet 10.1.0.1/24',
      'b: vnic0 (driver vnic) inet 10.1.0.2/24',
    ]);
    expect(r.pings.map((p) => p.size)).toEqual([56, 3000]);
    for (const p of r.pings) expect(p.rttUs).toBeGreaterThan(0);
    expect(r.echo).toBe('hello from a vnic');
    expect(lines).toHaveLength(5);
  });
});
