// The README's example, kept honest: the same code, with assertions.
import { type Mbuf, Simulation, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { inetFor, ping, registerInet, udpFor } from '@ifnet/inet';
import { VirtualCable } from '@ifnet/wire';
import { expect, it } from 'vitest';
import { EheaDevice, type EheaDriver, registerEhea } from '../src/index.js';

it('README example: an ehea host and a peer, UDP flows steered by RSS, the table changed at run time', async () => {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerEhea(platform, { rxEntries: 128 }); // the driver and its tunables

  const host = (name: string, mac: string) => {
    const h = platform.createHost({ name, runner: sim });
    const dev = new EheaDevice({ mac, queues: 4 }); // 4 port resources, 4 interrupt vectors
    h.attachDevice(dev); // plugged in as 1014:0EEA
    const sc = h.autoconf()[0].driver as EheaDriver; // ehea0, with poll contexts ehea0.q0 .. q3
    return { h, dev, sc };
  };
  const a = host('a', '02:00:00:00:00:0a');
  const b = host('b', '02:00:00:00:00:0b');
  new VirtualCable(sim.clock, { bitRate: 10e9 }).connect(a.dev, b.dev);
  a.sc.ifp.upIf();
  b.sc.ifp.upIf();
  inetFor(a.h).addAddress(a.sc.ifp, '10.0.0.1/24');
  inetFor(b.h).addAddress(b.sc.ifp, '10.0.0.2/24');

  // Which queue each datagram came in on, as the stack sees it.
  const queues: number[] = [];
  udpFor(a.h)
    .socket()
    .bind(9)
    .onMessage((m: Mbuf) => {
      queues.push(m.pkthdr.rxQueue); // also m.pkthdr.flowHash and m.pkthdr.flowHashType
      m.pool.freem(m);
    });
  const clients = Array.from({ length: 16 }, (_, i) =>
    udpFor(b.h)
      .socket()
      .bind(5000 + i),
  );
  const send = () => {
    for (const c of clients) c.sendTo(new Uint8Array(8), '10.0.0.1', 9);
    sim.runUntilIdle();
  };
  const resolved = ping(b.h, '10.0.0.1'); // resolve ARP first (one datagram is held while it resolves)
  sim.runUntilIdle();
  await resolved;
  send();
  expect(queues).toHaveLength(16);
  expect(new Set(queues).size).toBe(4); // 16 flows over 4 queues

  // ethtool -X: everything to queue 2, at run time; the interface stays up.
  await a.sc.configure({ indirectionTable: new Array(128).fill(2) });
  queues.length = 0;
  send();
  expect(queues).toEqual(new Array(16).fill(2));

  // ethtool -L: 2 queues (down, contexts removed, table spread again, up).
  await a.sc.configure({ queues: 2 });
  expect(a.sc.ifp.pollContexts.map((c) => c.name)).toEqual(['ehea0.q0', 'ehea0.q1']);
});
