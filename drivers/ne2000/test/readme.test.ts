// The README's example, kept honest: the same code, with assertions.
import { type Mbuf, Simulation, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { VirtualCable } from '@ifnet/wire';
import { expect, it } from 'vitest';
import { Ne2000Device, type Ne2000Driver, registerNe2000 } from '../src/index.js';

it('README example: two hosts, an ne2000 each, a 10 Mb/s cable, a frame on ethertype 0x88B5', () => {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform); // the IFT_ETHER link layer
  registerNe2000(platform, { rxBuffers: 32 }); // the ne driver, with its tunables
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
    const dev = new Ne2000Device({ mac }); // the MAC is what the station PROM holds
    host.attachDevice(dev); // plugged into the host's bus as 10EC:8029
    const [slot] = host.autoconf(); // ne matches and attaches: ne0
    return { host, dev, ifp: (slot.driver as Ne2000Driver).ifp };
  };
  const a = nic('a', '02:00:00:00:00:0a');
  const b = nic('b', '02:00:00:00:00:0b');
  new VirtualCable(sim.clock, { bitRate: 10e6, delay: 500 }).connect(a.dev, b.dev); // 10BASE-T
  a.ifp.upIf();
  b.ifp.upIf();

  const m = a.host.pool.devget(new TextEncoder().encode('hello'), 0, 5, null, 16)!;
  a.ifp.output(m, 0x88b5, b.ifp.lladdr); // ether framing, send queue, remote-DMA write, TXP
  sim.runFor(1_000_000); // b's 0x88B5 input gets it

  expect(received).toEqual(['b: hello']);
  expect(a.ifp.name).toBe('ne0');
  expect(b.ifp.counters.ipackets).toBe(1);
  expect(b.dev.stats.rxDelivered).toBe(1);
});
