import { DEFAULT_COST_PROFILE } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { calibrate, interruptModel, parseCostProfile, runPoint } from '../src/index.js';

describe('calibrate (this machine’s costs as a cost profile)', () => {
  // Few, short rounds: the figures are this machine's and noisy; the tests check what is measured and how.
  const c = calibrate({ rounds: 2, ops: 2048, date: new Date('2026-01-02T03:04:05Z') });

  it('prices every field of the default profile, each with a note on how', () => {
    expect(c.format).toBe('ifnet-cost-profile/1');
    const p = c.profile;
    for (const k of [
      'interruptEntry',
      'interruptExit',
      'continuation',
      'tick',
      'registerAccess',
      'pioPerByte',
      'layerDefault',
    ] as const) {
      expect(Number.isFinite(p[k]) && p[k] >= 0, k).toBe(true);
      expect(c.provenance.notes[k]?.ns, k).toBe(p[k]);
    }
    expect(Object.keys(p.layer).sort()).toEqual(Object.keys(DEFAULT_COST_PROFILE.layer).sort());
    for (const [k, ns] of Object.entries(p.layer)) {
      expect(ns >= 0, k).toBe(true);
      expect(c.provenance.notes[`layer.${k}`].ns).toBe(ns);
    }
    const how = (k: string) => c.provenance.notes[k].how;
    expect(['layer.ipv4', 'layer.udp', 'interruptEntry', 'continuation', 'tick', 'registerAccess'].map(how)).toEqual(
      Array(6).fill('measured'),
    );
    expect(['layer.driverRx', 'layer.ifInput', 'layer.ether', 'layer.socket', 'layer.app'].map(how)).toEqual(
      Array(5).fill('split'),
    );
    expect(['layer.driverTx', 'layer.arp', 'layer.icmp', 'pioPerByte', 'layerDefault'].map(how)).toEqual(
      Array(5).fill('scaled'),
    );
  });

  it('records its provenance: tool, date, machine, method and the composites it measured', () => {
    expect(c.provenance.tool).toBe('ifnet lab calibrate');
    expect(c.provenance.date).toBe('2026-01-02T03:04:05.000Z');
    expect(c.provenance.machine).toMatch(/node v\d+/);
    expect(c.provenance.rounds).toBe(2);
    const m = c.provenance.measured;
    for (const k of ['rx_noproto', 'rx_ipv4_not_ours', 'rx_udp_badlen', 'rx_delivered', 'interrupt', 'continuation'])
      expect(m[k], k).toBeGreaterThan(0);
    // The split layers add up to the composite they were split from.
    const l = c.profile.layer;
    expect(l.driverRx + l.ifInput + l.ether).toBeCloseTo(m.rx_noproto, 0);
  });

  it('round-trips through JSON into a profile a sweep point runs with', () => {
    const p = parseCostProfile(JSON.parse(JSON.stringify(c)));
    expect(p).toEqual(c.profile);
    const point = runPoint(interruptModel('continuation'), 50_000, { windowMs: 5, costs: p });
    expect(point.accounted).toBe(true);
    expect(point.delivered_pps).toBeGreaterThan(0);
  });
});

describe('parseCostProfile', () => {
  it('takes a bare or partial profile over the defaults', () => {
    const p = parseCostProfile({ interruptEntry: 10, layer: { ipv4: 5, esp: 700 } });
    expect(p.interruptEntry).toBe(10);
    expect(p.tick).toBe(DEFAULT_COST_PROFILE.tick);
    expect(p.layer.ipv4).toBe(5);
    expect(p.layer.esp).toBe(700);
    expect(p.layer.udp).toBe(DEFAULT_COST_PROFILE.layer.udp);
  });

  it('names what is wrong', () => {
    expect(() => parseCostProfile([])).toThrow(/not a JSON object/);
    expect(() => parseCostProfile({ tick: -1 })).toThrow(/tick must be a finite number >= 0/);
    expect(() => parseCostProfile({ layer: { ipv4: 'fast' } })).toThrow(/layer.ipv4/);
    expect(() => parseCostProfile({ ticks: 1 })).toThrow(/unknown field 'ticks'/);
    expect(() => parseCostProfile({ format: 'other/9', profile: {} })).toThrow(/unknown format/);
    expect(() => parseCostProfile({ format: 'ifnet-cost-profile/1' })).toThrow(/no profile object/);
  });
});
