import { describe, expect, it } from 'vitest';
import {
  CostLayers,
  Cpu,
  Continuation,
  DEFAULT_COST_PROFILE,
  IPL_NET,
  IPL_SOFTNET,
  LAYER_APP,
  LAYER_DRIVER_RX,
  LAYER_IPV4,
  LAYER_SOCKET,
  LAYER_UDP,
  MAX_COST_LAYERS,
  VirtualClock,
  WELL_KNOWN_LAYERS,
  ZERO_COST_PROFILE,
} from '../../src/index.js';

describe('numeric cost layers', () => {
  it('fixed ids for the layers of the default profile, priced from it', () => {
    const cpu = new Cpu('c', new VirtualClock(), DEFAULT_COST_PROFILE);
    expect(WELL_KNOWN_LAYERS[LAYER_IPV4]).toBe('ipv4');
    expect(Object.keys(DEFAULT_COST_PROFILE.layer).sort()).toEqual([...WELL_KNOWN_LAYERS].sort());
    const t0 = cpu.now();
    cpu.chargeLayerId(LAYER_IPV4);
    cpu.chargeLayerId(LAYER_UDP);
    expect(cpu.now() - t0).toBe(DEFAULT_COST_PROFILE.layer.ipv4 + DEFAULT_COST_PROFILE.layer.udp);
    expect(cpu.layerId('driverRx')).toBe(LAYER_DRIVER_RX);
  });

  it('chargeLayerIds2(a, b) is chargeLayerId(a) then chargeLayerId(b), to the bit, on both clocks and tallies', () => {
    // Fractional costs whose sum rounds differently by association: (t + a) + b must be what both give.
    const profile = {
      ...DEFAULT_COST_PROFILE,
      layerDefault: 0.3,
      layer: { ...DEFAULT_COST_PROFILE.layer, udp: 0.1, socket: 0.7 },
    };
    const unpriced = MAX_COST_LAYERS + 3;
    for (const [a, b] of [
      [LAYER_UDP, LAYER_SOCKET],
      [LAYER_UDP, unpriced],
    ]) {
      const one = new Cpu('one', new VirtualClock(), profile);
      const two = new Cpu('two', new VirtualClock(), profile);
      for (let i = 0; i < 1000; i++) {
        one.chargeLayerIds2(a, b);
        two.chargeLayerId(a);
        two.chargeLayerId(b);
      }
      expect(Object.is(one.now(), two.now())).toBe(true);
      expect(Array.from(one.stats.chargedSoft)).toEqual(Array.from(two.stats.chargedSoft));
    }
  });

  it('resolves new layers once, prices unknown ones at layerDefault, and re-prices when the profile changes', () => {
    const profile = { ...DEFAULT_COST_PROFILE, layer: { ...DEFAULT_COST_PROFILE.layer, esp: 1234 } };
    const cpu = new Cpu('c', new VirtualClock(), profile);
    const esp = cpu.layerId('esp');
    const gre = cpu.layerId('gre');
    expect(esp).toBeGreaterThan(LAYER_APP);
    expect(cpu.layerId('esp')).toBe(esp);
    expect(cpu.layers.name(gre)).toBe('gre');
    let t = cpu.now();
    cpu.chargeLayerId(esp);
    cpu.chargeLayerId(gre);
    expect(cpu.now() - t).toBe(1234 + profile.layerDefault);
    // 'toString' is not a layer of the profile, whatever Object.prototype says.
    t = cpu.now();
    cpu.chargeLayer('toString');
    expect(cpu.now() - t).toBe(profile.layerDefault);
    cpu.costs = ZERO_COST_PROFILE;
    t = cpu.now();
    cpu.chargeLayerId(esp);
    cpu.chargeLayerId(LAYER_IPV4);
    cpu.chargeLayer('anything');
    expect(cpu.now() - t).toBe(0);
  });

  it('an id not given out yet costs layerDefault, like an unpriced layer, under every profile', () => {
    const cpu = new Cpu('c', new VirtualClock(), DEFAULT_COST_PROFILE);
    const unused = cpu.layers.size + 5;
    let t = cpu.now();
    cpu.chargeLayerId(unused);
    expect(cpu.now() - t).toBe(DEFAULT_COST_PROFILE.layerDefault);
    cpu.costs = { ...DEFAULT_COST_PROFILE, layerDefault: 7 };
    t = cpu.now();
    cpu.chargeLayerId(unused);
    cpu.chargeLayerId(MAX_COST_LAYERS + 1); // beyond the table: layerDefault too
    expect(cpu.now() - t).toBe(14);
    expect(cpu.layerId('late')).toBe(cpu.layers.size - 1);
    t = cpu.now();
    cpu.chargeLayerId(cpu.layerId('late'));
    expect(cpu.now() - t).toBe(7);
  });

  it('charges land in the tally of their context: interrupt, or the level of the running unit', () => {
    const cpu = new Cpu('c', new VirtualClock(), ZERO_COST_PROFILE);
    const line = cpu.intr.createLine('irq');
    cpu.intr.establish(
      line,
      IPL_NET,
      () => {
        cpu.chargeLayerId(LAYER_DRIVER_RX);
        line.deassert();
        return true;
      },
      null,
      'intr',
    );
    cpu.costs = { ...ZERO_COST_PROFILE, layer: { ...ZERO_COST_PROFILE.layer, driverRx: 10, ipv4: 100 } };
    const kc = new Continuation(
      'poll',
      IPL_SOFTNET,
      () => {
        cpu.chargeLayerId(LAYER_IPV4);
        line.assert();
        cpu.preempt(); // the interrupt runs here, charged to interrupt context
        cpu.chargeLayerId(LAYER_IPV4); // back in the continuation: softnet again
      },
      null,
    );
    cpu.sched.schedule(kc);
    cpu.runUnit();
    cpu.chargeLayerId(LAYER_DRIVER_RX); // outside any unit: process level
    expect(cpu.stats.chargedInterrupt).toBe(10);
    expect(Array.from(cpu.stats.chargedSoft)).toEqual([10, 0, 200]);
    // Snapshots keep their shape: the interrupt tally is an own enumerable key, in its old place.
    expect(Object.keys({ ...cpu.stats })).toEqual([
      'interrupts',
      'spurious',
      'continuations',
      'preemptionPoints',
      'processTurns',
      'softclockTurns',
      'chargedInterrupt',
      'chargedSoft',
    ]);
  });

  it("layer costs live beside the CPU's tallies: charges never touch a cost, re-pricing never touches a tally", () => {
    const cpu = new Cpu('c', new VirtualClock(), DEFAULT_COST_PROFILE);
    expect(cpu.layers.cost.length).toBe(MAX_COST_LAYERS);
    const t0 = cpu.now();
    for (let i = 0; i < 100; i++) cpu.chargeLayerIds2(LAYER_UDP, LAYER_SOCKET);
    const spent = 100 * (DEFAULT_COST_PROFILE.layer.udp + DEFAULT_COST_PROFILE.layer.socket);
    expect(cpu.now() - t0).toBe(spent);
    expect(cpu.layers.cost[LAYER_UDP]).toBe(DEFAULT_COST_PROFILE.layer.udp);
    expect(cpu.layers.cost[MAX_COST_LAYERS - 1]).toBe(DEFAULT_COST_PROFILE.layerDefault);
    const tallies = Array.from(cpu.stats.chargedSoft);
    cpu.costs = { ...DEFAULT_COST_PROFILE, layer: { ...DEFAULT_COST_PROFILE.layer, udp: 11 }, layerDefault: 5 };
    expect(Array.from(cpu.stats.chargedSoft)).toEqual(tallies);
    expect(cpu.now() - t0).toBe(spent);
    cpu.chargeLayerId(LAYER_UDP);
    cpu.chargeLayerId(MAX_COST_LAYERS - 1);
    expect(cpu.now() - t0).toBe(spent + 16);
  });

  it('CostLayers refuses a cost array that is not MAX_COST_LAYERS slots long', () => {
    expect(() => new CostLayers(DEFAULT_COST_PROFILE, new Float64Array(3))).toThrow(RangeError);
    const own = new Float64Array(MAX_COST_LAYERS);
    expect(new CostLayers(DEFAULT_COST_PROFILE, own).cost).toBe(own);
    expect(own[LAYER_IPV4]).toBe(DEFAULT_COST_PROFILE.layer.ipv4);
  });

  it('chargeLayer by name charges the same as by id', () => {
    const a = new Cpu('a', new VirtualClock(), DEFAULT_COST_PROFILE);
    const b = new Cpu('b', new VirtualClock(), DEFAULT_COST_PROFILE);
    for (const name of WELL_KNOWN_LAYERS) {
      a.chargeLayer(name);
      b.chargeLayerId(b.layerId(name));
    }
    a.chargeLayer('unpriced');
    b.chargeLayerId(b.layerId('unpriced'));
    expect(a.now()).toBe(b.now());
  });
});
