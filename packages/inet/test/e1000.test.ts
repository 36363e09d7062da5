import { arpFor } from '@ifnet/ether';
import { describe, expect, it } from 'vitest';
import { icmpFor, inetFor, parseAddr, ping, udpEchoService, udpFor } from '../src/index.js';
import { twoNics } from './e1000-helpers.js';

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
