import { Simulation, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { arpFor, registerEther } from '@ifnet/ether';
import { VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { icmpFor, inetFor, parseAddr, ping, registerInet, udpEchoService, udpFor } from '../src/index.js';

/** Two hosts, each with an e1000 (wm0) found by autoconfiguration, on a 1 Gb/s cable. */
function twoNics() {
  const sim = new Simulation({ seed: 3 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform);
  const hosts = ['a', 'b'].map((name, i) => {
    const host = platform.createHost({ name, runner: sim });
    const dev = new E1000Device({ mac: `02:00:00:00:00:0${i + 1}` });
    host.attachDevice(dev);
    const [slot] = host.autoconf();
    const ifp = (slot.driver as WmSoftc).ifp;
    return { host, dev, ifp };
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

describe('IPv4 over two e1000s on a virtual cable', () => {
  it('resolves with ARP, pings small and fragmented, echoes UDP, answers a closed port', async () => {
    const { sim, a, b } = twoNics();
    expect(a.ifp.name).toBe('wm0');

    const small = ping(a.host, '192.168.7.2', { seq: 1 });
    sim.runUntilIdle();
    const r1 = await small;
    expect(r1.bytes).toBe(56);
    // Two frames of 98 bytes (+ preamble, FCS, gap) at 1 Gb/s, 500 ns of cable each way, and CPU work.
    expect(r1.rtt).toBeGreaterThan(2 * 500);
    expect(arpFor(a.host).lookup(a.ifp, parseAddr('192.168.7.2'))?.state).toBe('resolved');

    const big = ping(a.host, '192.168.7.2', { seq: 2, size: 4000 });
    sim.runUntilIdle();
    expect((await big).bytes).toBe(4000);
    expect(inetFor(b.host).stats.reassembled).toBe(1);
    expect(inetFor(a.host).stats.reassembled).toBe(1);

    const echo = udpEchoService(b.host, 7);
    const s = udpFor(a.host).socket().connect('192.168.7.2', 7);
    s.send(new TextEncoder().encode('through the wire'));
    const got = s.recv();
    sim.runUntilIdle();
    expect(new TextDecoder().decode((await got).data)).toBe('through the wire');

    const closed = udpFor(a.host).socket().connect('192.168.7.2', 9);
    closed.send(new Uint8Array(1));
    const err = closed.recv();
    sim.runUntilIdle();
    await expect(err).rejects.toMatchObject({ code: 'unreachable' });
    expect(icmpFor(b.host).stats.outByType[3]).toBe(1);

    for (const x of [s, closed, echo]) x.close();
    expect(inetFor(a.host).stats.drops).toEqual({});
    expect(inetFor(b.host).stats.drops).toEqual({});
    for (const h of [a, b]) expect(h.host.pool.checkAccounting().ok).toBe(true);
  });
});
