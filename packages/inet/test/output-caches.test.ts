/**
 * IPv4 output remembers its last route (BSD's `struct route`, one entry): these tests change the routing
 * table and the addresses between two datagrams to the same destination; the second must follow the change,
 * and every datagram must still count as a use of the route it took.
 */
import { describe, expect, it } from 'vitest';
import { toAddr } from '../src/index.js';
import { bytes, createChannel, channelWorld, echoRequest } from './helpers.js';

const US = '10.0.0.1';
const PEER = toAddr('10.0.0.2');

describe('the output route cache follows configuration changes', () => {
  it('a host route added after a datagram went out takes the next one; deleted, the connected route again', () => {
    const { host, ch, inet } = channelWorld(US);
    const other = createChannel(host);
    inet.addAddress(other.ifp, '10.1.0.1/24');
    const send = () => {
      const m = host.pool.devget(bytes(8), 0, 8, null, 64)!;
      expect(inet.output(m, 0, PEER, 253)).toBe('ok');
    };
    const uses = (destination: string) => inet.routes.list().find((r) => r.destination === destination)!.use;
    send();
    send();
    expect(ch.sent.map((p) => p.dst)).toEqual([PEER, PEER]);
    expect(uses('10.0.0.0/24')).toBe(2);
    inet.routes.add('10.0.0.2/32', '10.1.0.7');
    send();
    send();
    expect(other.sent.map((p) => p.dst)).toEqual([toAddr('10.1.0.7'), toAddr('10.1.0.7')]);
    expect(uses('10.0.0.2/32')).toBe(2);
    inet.routes.delete('10.0.0.2/32');
    send();
    expect(ch.sent.length).toBe(3);
    expect(uses('10.0.0.0/24')).toBe(3);
    host.pool.assertQuiescent();
  });

  it('a source chosen by the route follows an address change on the interface', () => {
    const { host, ch, inet } = channelWorld(US);
    const send = () => {
      const m = host.pool.devget(bytes(8), 0, 8, null, 64)!;
      expect(inet.output(m, 0, PEER, 253)).toBe('ok');
    };
    const src = (i: number) => ch.sent[i].bytes.subarray(12, 16).join('.');
    send();
    inet.removeAddress(ch.ifp, US);
    inet.addAddress(ch.ifp, '10.0.0.5/24');
    send();
    expect([src(0), src(1)]).toEqual(['10.0.0.1', '10.0.0.5']);
    host.pool.assertQuiescent();
  });

  it("isLocal and isBroadcast answer from input's last lookups without ever calling 255.255.255.255 local", () => {
    const { sim, host, ch, inet } = channelWorld(US);
    const peer = '10.0.0.7';
    for (const a of [0xffffffff, -1]) {
      expect(inet.isBroadcast(a)).toBe(true);
      expect(inet.isLocal(a)).toBe(false);
    }
    ch.inject(echoRequest(peer, US, 1, 1, 8));
    sim.runUntilIdle();
    expect(ch.sent.length).toBe(1); // answered: input looked both addresses up
    expect(inet.isLocal(toAddr(US))).toBe(true);
    expect(inet.isBroadcast(toAddr(peer))).toBe(false);
    expect(inet.isBroadcast(-1)).toBe(true);
    expect(inet.isLocal(-1)).toBe(false);
    // 10.0.0.5/30 makes the peer's address our directed broadcast: the next question gets the new answer.
    inet.addAddress(createChannel(host).ifp, '10.0.0.5/30');
    expect(inet.isBroadcast(toAddr(peer))).toBe(true);
    inet.removeAddress(ch.ifp, US);
    expect(inet.isLocal(toAddr(US))).toBe(false);
    host.pool.assertQuiescent();
  });
});
