import { Simulation } from '@ifnet/core';
import { arpFor } from '@ifnet/ether';
import { inetFor, parseAddr, ping, udpEchoService, udpFor } from '@ifnet/inet';
import { VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { addNe, addWm, drops, makePlatform } from './driver-helpers.js';

/** Two hosts on a 10 Mb/s cable: ne ↔ ne, or ne ↔ wm (e1000). */
function twoHosts(peer: 'ne' | 'wm') {
  const sim = new Simulation({ seed: 4 });
  const setup = makePlatform({}, true);
  const a = addNe(sim, setup, 'a', '02:00:00:00:00:01');
  const b = peer === 'ne' ? addNe(sim, setup, 'b', '02:00:00:00:00:02') : addWm(sim, setup, 'b', '02:00:00:00:00:02');
  new VirtualCable(sim.clock, { bitRate: 10e6, delay: 500 }).connect(a.dev, b.dev);
  a.ifp.upIf();
  b.ifp.upIf();
  inetFor(a.host).addAddress(a.ifp, '10.0.0.1/24');
  inetFor(b.host).addAddress(b.ifp, '10.0.0.2/24');
  sim.runUntilIdle();
  return { sim, a, b };
}

for (const peer of ['ne', 'wm'] as const) {
  describe(`IPv4 between an ne2000 and ${peer === 'ne' ? 'another ne2000' : 'an e1000'}`, () => {
    it('resolves with ARP, pings (also fragmented) both ways and echoes UDP', async () => {
      const { sim, a, b } = twoHosts(peer);
      expect(b.ifp.name).toBe(`${peer}0`);

      const p1 = ping(a.host, '10.0.0.2', { seq: 1 });
      sim.runUntilIdle();
      const r1 = await p1;
      expect(r1.bytes).toBe(56);
      // Two 98-byte frames at 10 Mb/s: at least 2 × 78 µs on the wire.
      expect(r1.rtt).toBeGreaterThan(2 * 78_000);
      expect(arpFor(a.host).lookup(a.ifp, parseAddr('10.0.0.2'))?.state).toBe('resolved');

      const p2 = ping(b.host, '10.0.0.1', { seq: 2, size: 3000 });
      sim.runUntilIdle();
      expect((await p2).bytes).toBe(3000);
      expect(inetFor(a.host).stats.reassembled).toBe(1);

      const echo = udpEchoService(b.host, 7);
      const s = udpFor(a.host).socket().connect('10.0.0.2', 7);
      const replies: Promise<{ data: Uint8Array }>[] = [];
      for (let i = 0; i < 20; i++) {
        s.send(new TextEncoder().encode(`datagram ${i}`));
        replies.push(s.recv());
      }
      sim.runUntilIdle();
      const got = await Promise.all(replies);
      expect(got.map((r) => new TextDecoder().decode(r.data))).toEqual(
        Array.from({ length: 20 }, (_, i) => `datagram ${i}`),
      );
      s.close();
      echo.close();
      for (const h of [a, b]) {
        expect(drops(h.ifp)).toBe(0);
        expect(inetFor(h.host).stats.drops).toEqual({});
        expect(h.host.pool.checkAccounting().ok).toBe(true);
      }
    });
  });
}
