/**
 * Two hosts with an e1000 each on a virtual cable, for tests that need a real driver's receive ring.
 */
import { Simulation, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { VirtualCable } from '@ifnet/wire';
import { inetFor, registerInet } from '../src/index.js';

/** Two hosts, each with an e1000 (wm0) found by autoconfiguration, on a 1 Gb/s cable. */
export function twoNics(mbufs?: { mbufs?: number; clusters?: number }) {
  const sim = new Simulation({ seed: 3 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform);
  const hosts = ['a', 'b'].map((name, i) => {
    const host = platform.createHost({ name, runner: sim, mbufs });
    const dev = new E1000Device({ mac: `02:00:00:00:00:0${i + 1}` });
    host.attachDevice(dev);
    const [slot] = host.autoconf();
    const ifp = (slot.driver as WmSoftc).ifp;
    return { host, dev, ifp, driver: slot.driver as WmSoftc };
  });
  const [a, b] = hosts;
  new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(a.dev, b.dev);
  a.ifp.upIf();
  b.ifp.upIf();
  inetFor(a.host).addAddress(a.ifp, '192.168.7.1/24');
  inetFor(b.host).addAddress(b.ifp, '192.168.7.2/24');
  sim.runUntilIdle();
  return { sim, a, b };
}
