import { describe, expect, it } from 'vitest';
import { IFT_LOOP, type Mbuf, createChannelEndpoint, m_copydata, packetFromBytes } from '../../src/index.js';
import { rig } from '../helpers/setup.js';

const PROTO = 0x88b5;

function recorder(host: ReturnType<typeof rig>['host']) {
  const got: { bytes: Uint8Array; segments: number }[] = [];
  host.ethertypes.register(PROTO, 'rec', (m: Mbuf, off) => {
    const b = new Uint8Array(m.pkthdr.len - off);
    m_copydata(m, off, b.length, b, 0);
    let segments = 0;
    for (let s: Mbuf | null = m; s !== null; s = s.next) segments++;
    got.push({ bytes: b, segments });
    m.pool.freem(m);
  });
  return got;
}

describe('channel endpoint', () => {
  it('raw mode: injected bytes reach the protocol; output is collected with its protocol and next hop', () => {
    const { host } = rig();
    const got = recorder(host);
    const ch = createChannelEndpoint(host, { raw: { proto: PROTO } });
    expect(ch.inject(Uint8Array.of(1, 2, 3))).toBe(true);
    expect(got.map((g) => Array.from(g.bytes))).toEqual([[1, 2, 3]]);
    const m = host.pool.devget(Uint8Array.of(9, 8), 0, 2, null)!;
    expect(ch.ifp.output(m, 0x0800, 'next-hop')).toBe(true);
    expect(ch.read()).toEqual({ bytes: Uint8Array.of(9, 8), proto: 0x0800, dst: 'next-hop' });
    expect(ch.sent).toEqual([]);
    host.pool.assertQuiescent();
  });

  it('link mode: output goes through the link layer and the send queue; frames keep their header', () => {
    const { host } = rig();
    const ch = createChannelEndpoint(host, { ifType: IFT_LOOP, name: 'lch' });
    const seen: number[] = [];
    ch.addNotify((p) => seen.push(p.bytes.length));
    const m = host.pool.devget(Uint8Array.of(7), 0, 1, null, 8)!;
    ch.ifp.output(m, PROTO, undefined);
    const p = ch.drain()[0];
    expect(Array.from(p.bytes)).toEqual([0, 0, 0x88, 0xb5, 7]);
    expect(p.proto).toBeNaN();
    expect(p.dst).toBeUndefined();
    expect(seen).toEqual([5]);
    host.pool.assertQuiescent();
  });

  it('splits an injected packet into a chain of `chunk`-byte mbufs', () => {
    const { host } = rig();
    const got = recorder(host);
    const ch = createChannelEndpoint(host, { raw: { proto: PROTO } });
    const bytes = Uint8Array.from({ length: 50 }, (_, i) => i);
    ch.inject(bytes, { chunk: 16 });
    expect(got[0].bytes).toEqual(bytes);
    expect(got[0].segments).toBe(4);
    expect(() => packetFromBytes(host.pool, bytes, 0)).toThrow(RangeError);
    host.pool.assertQuiescent();
  });

  it('is bounded (counting what it cannot take), and reports a packet it cannot build', () => {
    const { host } = rig();
    const ch = createChannelEndpoint(host, { raw: { proto: PROTO }, limit: 2 });
    for (let i = 0; i < 3; i++) ch.ifp.output(host.pool.devget(Uint8Array.of(i), 0, 1, null)!, 1, null);
    expect(ch.sent).toHaveLength(2);
    expect(ch.ifp.counters.drops['channel.full']).toBe(1);
    const held: Mbuf[] = [];
    for (let m = host.pool.get(); m !== null; m = host.pool.get()) held.push(m);
    expect(ch.inject(Uint8Array.of(1))).toBe(false);
    expect(ch.ifp.counters.iqdrops).toBe(0);
    for (const m of held) host.pool.freem(m);
    host.pool.assertQuiescent();
  });
});
