// The README's example, kept honest: the same code, with assertions.
import { type Mbuf, Simulation, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { VirtualCable } from '@ifnet/wire';
import { expect, it } from 'vitest';
import { E1000Device, type WmSoftc, registerE1000 } from '../src/index.js';

it('README example: two hosts, an e1000 each, a cable, a frame on ethertype 0x88B5', () => {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform); // the IFT_ETHER link layer
  registerE1000(platform, { rxDescriptors: 512 }); // the wm driver, with its tunables
  const received: string[] = [];
  platform.registerProtocol({
    name: 'hello',
    attach(host) {
      host.ethertypes.register(0x88b5, 'hello', (m: Mbuf, off: number) => {
        received.push(`${host.name}: ${new TextDecoder().decode(m.buf.subarray(m.off + off, m.off + off + 5))}`);
        m.pool.freem(m);
      });
    },
  });

  const nic = (name: string, mac: string) => {
    const host = platform.createHost({ name, runner: sim });
    const dev = new E1000Device({ mac }); // the MAC is what the EEPROM holds
    host.attachDevice(dev); // plugged into the host's bus as 8086:100E
    const [slot] = host.autoconf(); // wm matches and attaches: wm0
    return { host, dev, ifp: (slot.driver as WmSoftc).ifp };
  };
  const a = nic('a', '02:00:00:00:00:0a');
  const b = nic('b', '02:00:00:00:00:0b');
  new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(a.dev, b.dev);
  a.ifp.upIf();
  b.ifp.upIf();

  const m = a.host.pool.devget(new TextEncoder().encode('hello'), 0, 5, null, 16)!;
  a.ifp.output(m, 0x88b5, b.ifp.lladdr); // ether framing, send queue, wm start, TDT
  sim.runFor(1_000_000);

  expect(received).toEqual(['b: hello']);
  expect(a.ifp.name).toBe('wm0');
  expect(b.ifp.counters.ipackets).toBe(1);
});
