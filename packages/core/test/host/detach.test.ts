/**
 * `host.ifDetach` (issue 8): every protocol module is told through `ProtocolModule.ifDetach(host, ifp)`
 * after the interface is down and before it is torn down, and core drops every reference it holds.
 */
import { describe, expect, it } from 'vitest';
import {
  type Host,
  type Ifnet,
  type ProtocolModule,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
} from '../../src/index.js';
import { toyNic } from '../helpers/setup.js';

function hostWith(modules: ProtocolModule[]): { sim: Simulation; host: Host } {
  const sim = new Simulation();
  const platform = createPlatform();
  for (const m of modules) platform.registerProtocol(m);
  const host = platform.createHost({ name: 'h', runner: sim, costs: ZERO_COST_PROFILE });
  return { sim, host };
}

describe('ifDetach', () => {
  it('calls ifDetach on every protocol module, upper layers first, with the interface down but still attached', async () => {
    const calls: string[] = [];
    const seen = (name: string) => (host: Host, ifp: Ifnet) => {
      calls.push(`${name}:${ifp.name}:up=${ifp.up}:attached=${host.interfaces.includes(ifp)}`);
    };
    const lower: ProtocolModule = { name: 'lower', attach() {}, ifDetach: seen('lower') };
    const upper: ProtocolModule = { name: 'upper', requires: ['lower'], attach() {}, ifDetach: seen('upper') };
    const plain: ProtocolModule = { name: 'plain', attach() {} }; // the hook is optional
    const { sim, host } = hostWith([upper, plain, lower]);
    const drv = toyNic(host);
    drv.dev.receive(1);
    sim.runFor(1_000_000);
    await host.ifDetach(drv.ifp);
    expect(calls).toEqual(['upper:toy0:up=false:attached=true', 'lower:toy0:up=false:attached=true']);
    expect(host.interfaces).not.toContain(drv.ifp);
    expect(host.ifunit('toy0')).toBeUndefined();
  });

  it("drops core's own references: poll contexts, queued continuations, send queue, hooks, listeners", async () => {
    const { sim, host } = hostWith([]);
    const drv = toyNic(host);
    const ctx = drv.ctx;
    drv.ifp.inputHook = () => 0;
    drv.ifp.onLinkState(() => {});
    drv.ifp.joinMulticast(new Uint8Array(0));
    drv.dev.receive(1); // a poll is pending when the detach starts
    sim.clock.advanceTo(1);
    await host.ifDetach(drv.ifp);
    expect(drv.ifp.pollContexts).toHaveLength(0);
    expect(ctx.kc.pending).toBe(false);
    expect(ctx.state).toBe('disabled');
    expect(drv.ifp.inputHook).toBeUndefined();
    expect(drv.ifp.multicast.size).toBe(0);
    expect(() => drv.ifp.upIf()).toThrow(/being detached/);
    await expect(host.ifDetach(drv.ifp)).rejects.toThrow(/not attached/);
    sim.runFor(10_000_000);
    host.pool.assertQuiescent();
  });

  it('detaching lo0 frees its queued packets and clears host.lo0; a throwing module does not stop the detach', async () => {
    const bad: ProtocolModule = {
      name: 'bad',
      attach() {},
      ifDetach() {
        throw new Error('module bug');
      },
    };
    const calls: string[] = [];
    const good: ProtocolModule = { name: 'good', attach() {}, ifDetach: (_h, ifp) => calls.push(ifp.name) };
    const { host } = hostWith([good, bad]);
    const lo = host.lo0!;
    const m = host.pool.devget(new Uint8Array(20), 0, 20, null)!;
    lo.output(m, 0x88b5, null); // queued, not yet looped back
    await expect(host.ifDetach(lo)).rejects.toThrow('module bug');
    expect(calls).toEqual(['lo0']);
    expect(host.lo0).toBeUndefined();
    expect(host.interfaces).not.toContain(lo);
    host.pool.assertQuiescent();
  });
});
