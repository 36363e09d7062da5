/**
 * IPv4 and UDP input remember their last lookups (the last local destination, the last source that was
 * not one of our broadcast addresses, the last UDP 4-tuple's socket), as BSD's one-entry caches do. These
 * tests change what the maps hold between two identical datagrams: the second must see the change.
 */
import { describe, expect, it } from 'vitest';
import { bytes, createChannel, udpPacket, channelWorld } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

const world = () => channelWorld(US);

describe('input lookup caches follow configuration changes', () => {
  it('a port bound after a datagram found none gets the next one; an unbound port gets none', async () => {
    const { sim, host, ch, udp } = world();
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(4)));
    sim.runUntilIdle();
    expect(udp.stats.drops).toEqual({ 'udp.noport': 1 });
    const s = udp.socket().bind(2000);
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(5)));
    sim.runUntilIdle();
    expect((await s.recv()).data).toEqual(bytes(5));
    s.close();
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(6)));
    sim.runUntilIdle();
    expect(udp.stats.drops).toEqual({ 'udp.noport': 2 });
    host.pool.assertQuiescent();
  });

  it('a socket that connects elsewhere stops getting the flow it was found for; the next socket on the port gets it', async () => {
    const { sim, host, ch, udp } = world();
    const a = udp.socket().bind(2000);
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(4)));
    sim.runUntilIdle();
    expect((await a.recv()).data).toEqual(bytes(4));
    // Connected to another peer port: the same 4-tuple is no longer a's (BSD: only the connected peer).
    a.connect(PEER, 1001);
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(5)));
    sim.runUntilIdle();
    expect(udp.stats.drops).toEqual({ 'udp.noport': 1 });
    expect(a.queued).toBe(0);
    a.close();
    const b = udp.socket().bind(2000);
    ch.inject(udpPacket(PEER, US, 1000, 2000, bytes(6)));
    sim.runUntilIdle();
    expect((await b.recv()).data).toEqual(bytes(6));
    b.close();
    host.pool.assertQuiescent();
  });

  it('a source that becomes one of our broadcast addresses is refused from the next datagram on', async () => {
    const { sim, host, ch, inet, udp } = world();
    const s = udp.socket().bind(2000);
    const src = '10.1.0.255';
    ch.inject(udpPacket(src, US, 1000, 2000, bytes(4)));
    sim.runUntilIdle();
    expect((await s.recv()).data).toEqual(bytes(4));
    // 10.1.0.1/24 makes 10.1.0.255 our directed broadcast: RFC 1122 3.2.1.3 forbids it as a source.
    const other = createChannel(host);
    inet.addAddress(other.ifp, '10.1.0.1/24');
    ch.inject(udpPacket(src, US, 1000, 2000, bytes(5)));
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({ 'ip.badsrc.bcast': 1 });
    expect(s.queued).toBe(0);
    s.close();
    host.pool.assertQuiescent();
  });

  it('a destination whose address was removed is no longer ours from the next datagram on', async () => {
    const { sim, host, ch, inet, udp } = world();
    inet.addAddress(ch.ifp, '10.0.0.9/24');
    const s = udp.socket().bind(2000);
    ch.inject(udpPacket(PEER, '10.0.0.9', 1000, 2000, bytes(4)));
    sim.runUntilIdle();
    expect((await s.recv()).data).toEqual(bytes(4));
    inet.removeAddress(ch.ifp, '10.0.0.9');
    ch.inject(udpPacket(PEER, '10.0.0.9', 1000, 2000, bytes(5)));
    sim.runUntilIdle();
    expect(inet.stats.drops).toEqual({ 'ip.notforus': 1 });
    expect(s.queued).toBe(0);
    s.close();
    host.pool.assertQuiescent();
  });
});
