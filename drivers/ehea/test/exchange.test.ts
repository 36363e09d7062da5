import { M_HASHTYPE_RSS_UDP_IPV4, Simulation, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { inetFor, ping, registerInet, udpEchoService, udpFor } from '@ifnet/inet';
import { VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import {
  EheaDevice,
  type EheaDriver,
  RSS_DEFAULT_KEY,
  ToeplitzHasher,
  registerEhea,
  rssInputIpv4,
} from '../src/index.js';

/** Host `a` with an ehea (4 queues), host `b` with an e1000, on a 1 Gb/s cable; IPv4 10.0.0.1 and .2. */
function twoHosts() {
  const sim = new Simulation({ seed: 7 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerEhea(platform, { rxEntries: 128, txEntries: 128 });
  registerE1000(platform);
  const a = platform.createHost({ name: 'a', runner: sim, hz: 1000 });
  const devA = new EheaDevice({ mac: '02:00:00:00:00:0a', queues: 4 });
  a.attachDevice(devA);
  const sa = a.autoconf()[0].driver as EheaDriver;
  const b = platform.createHost({ name: 'b', runner: sim, hz: 1000 });
  const devB = new E1000Device({ mac: '02:00:00:00:00:0b' });
  b.attachDevice(devB);
  const sb = b.autoconf()[0].driver as WmSoftc;
  new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(devA, devB);
  sa.ifp.upIf();
  sb.ifp.upIf();
  inetFor(a).addAddress(sa.ifp, '10.0.0.1/24');
  inetFor(b).addAddress(sb.ifp, '10.0.0.2/24');
  sim.runUntilIdle();
  return { sim, a, b, devA, devB, sa, sb };
}

describe('ehea ↔ e1000 through @ifnet/ether and @ifnet/inet', () => {
  it('ping both ways, small and fragmented', async () => {
    const { sim, a, b, sa } = twoHosts();
    expect(sa.ifp.name).toBe('ehea0');
    for (const [from, to, size] of [
      [a, '10.0.0.2', 56],
      [b, '10.0.0.1', 56],
      [a, '10.0.0.2', 4000],
      [b, '10.0.0.1', 4000],
    ] as const) {
      const p = ping(from, to, { seq: 1, size });
      sim.runUntilIdle();
      const r = await p;
      expect(r.seq).toBe(1);
      expect(r.rtt).toBeGreaterThan(0);
    }
    expect(inetFor(a).stats.reassembled).toBeGreaterThan(0); // the 4000-byte ping came in fragments
    await sa.ifp.down();
    a.pool.assertQuiescent();
  });

  it('UDP flows from many ports are spread over the ehea queues; sockets see the hash and queue', async () => {
    const { sim, a, b, sa, devA } = twoHosts();
    const seen: { queue: number; hashType: number; hash: number; port: number }[] = [];
    const server = udpFor(a).socket().bind(9);
    server.onMessage((m, info) => {
      seen.push({
        queue: m.pkthdr.rxQueue,
        hashType: m.pkthdr.flowHashType,
        hash: m.pkthdr.flowHash,
        port: info.srcPort,
      });
      server.sendTo(m, info.srcAddr, info.srcPort); // echo back: the reply leaves by the flow's send queue
    });
    const warm = ping(b, '10.0.0.1'); // resolve ARP first (one packet is held while it resolves)
    sim.runUntilIdle();
    await warm;
    const clients = Array.from({ length: 32 }, (_, i) =>
      udpFor(b)
        .socket()
        .bind(5000 + i)
        .connect('10.0.0.1', 9),
    );
    const replies = clients.map((c) => c.recv());
    for (const c of clients) c.send(new TextEncoder().encode('hello'));
    sim.runUntilIdle();
    const got = await Promise.all(replies);
    expect(got.map((g) => new TextDecoder().decode(g.data))).toEqual(new Array(32).fill('hello'));
    const h = new ToeplitzHasher(RSS_DEFAULT_KEY);
    const table = sa.rssState().indirectionTable;
    for (const s of seen) {
      expect(s.hashType).toBe(M_HASHTYPE_RSS_UDP_IPV4);
      expect(s.hash).toBe(h.hash(rssInputIpv4('10.0.0.2', '10.0.0.1', s.port, 9), 0, 12));
      expect(s.queue).toBe(table[s.hash & 127]);
    }
    expect(new Set(seen.map((s) => s.queue)).size).toBe(4);
    // Transmit: every queue sent some replies, and every completion was reclaimed in the polls.
    expect(devA.queues.every((q) => q.stats.txFrames > 0)).toBe(true);
    for (const q of sa.queues) expect(q.stats.txCompletions).toBe(q.stats.txPackets);
    for (const c of clients) c.close();
    server.close();
    await sa.ifp.down();
    a.pool.assertQuiescent();
  });

  it('UDP echo from the ehea host to a server on the e1000 host', async () => {
    const { sim, a, b } = twoHosts();
    const echo = udpEchoService(b, 7);
    const s = udpFor(a).socket().connect('10.0.0.2', 7);
    const reply = s.recv();
    s.send(new TextEncoder().encode('over ehea'));
    sim.runUntilIdle();
    expect(new TextDecoder().decode((await reply).data)).toBe('over ehea');
    s.close();
    echo.close();
  });
});
