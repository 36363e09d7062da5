/**
 * `IfnetState`: a protocol's per-interface state, created on first use, read by slot number
 * (`ifp.afslots`) on data paths and mirrored by name in `ifp.afdata` for inspection.
 */
import { describe, expect, it } from 'vitest';
import { IfnetState, Simulation, alwaysUnmask, createPlatform } from '../../src/index.js';
import { ToyNicDevice, ToyNicDriver } from '../helpers/toy-nic.js';

function twoInterfaces() {
  const platform = createPlatform();
  const host = platform.createHost({ name: 'h', runner: new Simulation(), mitigationPolicy: alwaysUnmask });
  return [new ToyNicDriver(host, new ToyNicDevice(8)).ifp, new ToyNicDriver(host, new ToyNicDevice(8)).ifp];
}

describe('IfnetState', () => {
  it('creates once per interface, keeps states of different protocols apart, and clears', () => {
    const [a, b] = twoInterfaces();
    let made = 0;
    const X = new IfnetState<{ n: number }>('x-test', () => ({ n: ++made }));
    const Y = new IfnetState<string>('y-test', (ifp) => `y of ${ifp.name}`);
    expect(X.find(a)).toBeUndefined();
    const xa = X.of(a);
    expect(X.of(a)).toBe(xa);
    expect(X.of(b)).not.toBe(xa);
    expect(made).toBe(2);
    expect(Y.of(a)).toBe(`y of ${a.name}`);
    expect(X.of(a)).toBe(xa);
    expect(a.afdata['x-test']).toBe(xa);
    expect(a.afdata['y-test']).toBe(`y of ${a.name}`);
    X.clear(a);
    expect(X.find(a)).toBeUndefined();
    expect(a.afdata['x-test']).toBeUndefined();
    expect(Y.find(a)).toBe(`y of ${a.name}`);
    expect(X.of(a)).not.toBe(xa);
    expect(made).toBe(3);
  });
});
