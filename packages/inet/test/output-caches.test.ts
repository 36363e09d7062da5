/**
 * IPv4 output remembers its last route (BSD's `struct route`, one entry): these tests change the routing
 * table and the addresses between two datagrams to the same destination; the second must follow the change,
 * and every datagram must still count as a use of the route it took. Output also sums the header checksum
 * from the words it builds: the last test checks every header field against an independent sum.
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

/** RFC 1071 over a header, written here independently of inet's checksum code. */
function headerSum(h: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < h.length; i += 2) s += (h[i] << 8) | h[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('ip_output header', () => {
  it('every field and the checksum are right, whatever the options and the address range', () => {
    const { host, ch, inet } = channelWorld('192.168.0.1/24');
    const peers = ['192.168.0.2', '192.168.0.254'];
    let n = 0;
    for (const peer of peers) {
      for (const ttl of [1, 64, 255]) {
        for (const tos of [0, 0x10, 0xff]) {
          for (const df of [false, true]) {
            const m = host.pool.devget(bytes(8 + n), 0, 8 + n, null, 64)!;
            expect(inet.output(m, 0, toAddr(peer), 17, { ttl, tos, df })).toBe('ok');
            const h = ch.sent[n].bytes.subarray(0, 20);
            expect(headerSum(h)).toBe(0xffff);
            expect([h[0], h[1], (h[2] << 8) | h[3], h[6], h[7], h[8], h[9]]).toEqual([
              0x45,
              tos,
              28 + n,
              df ? 0x40 : 0,
              0,
              ttl,
              17,
            ]);
            expect([h.subarray(12, 16).join('.'), h.subarray(16, 20).join('.')]).toEqual(['192.168.0.1', peer]);
            n++;
          }
        }
      }
    }
    // Consecutive identifications.
    const ids = ch.sent.map((p) => (p.bytes[4] << 8) | p.bytes[5]);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe((ids[i - 1] + 1) & 0xffff);
    host.pool.assertQuiescent();
  });
});
