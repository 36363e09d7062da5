import { udpFor } from '@ifnet/inet';
import { ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { EspDrop } from '../src/index.js';
import { PEER, SPI, US, espPacket, espWorld, udpInner } from './esp-helpers.js';

function payload(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

describe('ESP input (RFC 4303 transport, RFC 4106 AES-GCM): decapsulate, dispatch, resume in the continuation', () => {
  it('delivers UDP datagrams of several sizes intact, through the protocol table, after the crypto continuation', () => {
    const { sim, host, ep, ipsec, sa } = espWorld();
    const got: Uint8Array[] = [];
    udpFor(host)
      .socket()
      .bind(4000)
      .onMessage((m) => {
        const b = new Uint8Array(m.pkthdr.len);
        let o = 0;
        for (let x: typeof m | null = m; x !== null; x = x.next) {
          b.set(x.buf.subarray(x.off, x.off + x.len), o);
          o += x.len;
        }
        got.push(b);
        m.pool.free(m);
      });
    const sizes = [0, 1, 2, 3, 4, 5, 100, 1000, 1400];
    for (const [i, n] of sizes.entries()) {
      ep.inject(espPacket({ seq: i + 1, nextHeader: 17, inner: udpInner(5000, 4000, payload(n, i)) }));
    }
    sim.runUntilIdle();
    expect(got).toEqual(sizes.map((n, i) => payload(n, i)));
    expect(ipsec.esp.drops).toEqual({});
    expect(sa.stats.packets).toBe(sizes.length);
    expect(sa.replay.top).toBe(sizes.length);
    expect(ipsec.fw.soft.ops).toBe(sizes.length);
    expect(ipsec.esp.stats.inFlight).toBe(0);
  });

  it('every failure is a counted drop with its reason, and no mbuf is lost', () => {
    const { sim, host, ep, ipsec } = espWorld();
    const udp = udpInner(5000, 4000, payload(10, 1));
    const good = espPacket({ seq: 1, nextHeader: 17, inner: udp });
    ep.inject(good);
    sim.runUntilIdle();
    ep.inject(good); // replay (caught before crypto)
    ep.inject(espPacket({ spi: SPI + 1, seq: 2, nextHeader: 17, inner: udp })); // unknown SPI
    const flipped = espPacket({ seq: 3, nextHeader: 17, inner: udp });
    flipped[40] ^= 0x04;
    ep.inject(flipped); // ICV mismatch
    ep.inject(espPacket({ seq: 4, nextHeader: 17, inner: udp.subarray(0, 17), badPadding: true })); // bad padding
    // Truncated ESP (a valid IP packet carrying 8 + 8 + 3 + 16 bytes: no room for a 4-aligned trailer).
    ep.inject(ipv4Packet({ src: PEER, dst: US, protocol: 50 }, new Uint8Array(35)));
    sim.runUntilIdle();
    expect(ipsec.esp.drops).toEqual({
      [EspDrop.replay]: 1,
      [EspDrop.noSa]: 1,
      [EspDrop.icv]: 1,
      [EspDrop.badPadding]: 1,
      [EspDrop.short]: 1,
    });
    expect(ep.ifp.counters.drops).toMatchObject(ipsec.esp.drops);
    host.pool.assertQuiescent();
  });

  it('the window advances only after the ICV verifies: a forged high sequence number does not block later packets', () => {
    const { sim, host, ep, ipsec, sa } = espWorld();
    const udp = udpInner(5000, 4000, payload(8, 2));
    const forged = espPacket({ seq: 1000, nextHeader: 17, inner: udp });
    forged[forged.length - 1] ^= 1;
    ep.inject(forged);
    ep.inject(espPacket({ seq: 1, nextHeader: 17, inner: udp }));
    sim.runUntilIdle();
    expect(ipsec.esp.drops).toEqual({ [EspDrop.icv]: 1 });
    expect(sa.replay.top).toBe(1);
    host.pool.assertQuiescent();
  });

  it('queue full: more packets than jobs before softnet runs → counted drops, the rest delivered', () => {
    const { sim, host, ep, ipsec } = espWorld();
    const udp = udpInner(5000, 4000, payload(4, 3));
    const jobs = ipsec.esp.freeJobs;
    for (let i = 1; i <= jobs + 5; i++) ep.inject(espPacket({ seq: i, nextHeader: 17, inner: udp }));
    sim.runUntilIdle();
    const q = ipsec.esp.drops[EspDrop.queueFull] ?? 0;
    expect(q + (ipsec.esp.stats.delivered ?? 0)).toBe(jobs + 5);
    expect(ipsec.esp.freeJobs).toBe(jobs);
    host.pool.assertQuiescent();
  });

  it('SA deleted or interface down while the job is in flight: dropped with its reason, mbuf freed', () => {
    for (const what of ['sa', 'if'] as const) {
      const { sim, host, ep, ipsec } = espWorld({}, { queueDepth: 4 });
      ep.inject(espPacket({ seq: 1, nextHeader: 17, inner: udpInner(5000, 4000, payload(4, 4)) }));
      sim.runUntilTrue(() => ipsec.esp.stats.inFlight === 1); // on the card; the continuation has not run
      if (what === 'sa') ipsec.deleteState(SPI);
      else void ep.ifp.down();
      sim.runUntilIdle();
      expect(ipsec.esp.drops).toEqual({ [what === 'sa' ? EspDrop.saDeleted : EspDrop.ifDown]: 1 });
      expect(ipsec.esp.stats.inFlight).toBe(0);
      host.pool.assertQuiescent();
    }
  });

  it('replay window edges through ESP input: top-(size-1) is accepted once, top-size is a replay, a jump clears', () => {
    for (const size of [32, 64]) {
      const { sim, host, ep, ipsec, sa } = espWorld({ replayWindow: size });
      const udp = udpInner(5000, 4000, payload(4, 5));
      const send = (...seqs: number[]) => {
        for (const seq of seqs) ep.inject(espPacket({ seq, nextHeader: 17, inner: udp }));
        sim.runUntilIdle();
      };
      send(1000);
      send(1000 - (size - 1), 1000 - size, 1000 - (size - 1), 1000);
      expect(ipsec.esp.drops, `size ${size}`).toEqual({ [EspDrop.replay]: 3 });
      expect(sa.replay.top).toBe(1000);
      // Far ahead: the whole window moves, everything at or below 2000 - size is now old.
      send(2000, 2000 - size, 2000 - (size - 1), 1999);
      expect(ipsec.esp.drops[EspDrop.replay]).toBe(4);
      expect(sa.stats.replay).toBe(4);
      expect(ipsec.esp.stats.delivered).toBe(5);
      host.pool.assertQuiescent();
    }
  });
});
