import { type Mbuf, Prng, m_freem } from '@ifnet/core';
import { udpFor } from '@ifnet/inet';
import { ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { EspDrop, XfrmInDrop } from '../src/index.js';
import { PEER, SPI, US, espPacket, espWorld, udpInner } from './esp-helpers.js';

describe('ESP input fuzz: random SPIs, truncations, bit flips', () => {
  for (const card of [undefined, { queueDepth: 4 }]) {
    it(`nothing escapes, nothing is lost (${card === undefined ? 'cryptosoft' : 'crypto card'})`, () => {
      const { sim, host, ep, ipsec } = espWorld({ replayWindow: 64 }, card);
      const prng = new Prng(42);
      const rng = { int: (a: number, b: number) => a + prng.int(b - a + 1) };
      let accepted = 0;
      for (let i = 1; i <= 1500; i++) {
        const inner = udpInner(5000, 4000, new Uint8Array(rng.int(0, 300)));
        let pkt = espPacket({ seq: rng.int(1, 2000), nextHeader: 17, inner });
        const mode = rng.int(0, 4);
        if (mode === 0) {
          // random SPI (usually unknown)
          pkt = espPacket({ spi: rng.int(256, 0x7fffffff), seq: i, nextHeader: 17, inner });
        } else if (mode === 1) {
          // truncated ESP payload inside a well-formed IP packet
          const esp = pkt.subarray(20, 20 + rng.int(0, pkt.length - 20));
          pkt = ipv4Packet({ src: PEER, dst: US, protocol: 50 }, esp);
        } else if (mode === 2) {
          // bit flips anywhere after the IP header
          pkt = pkt.slice();
          for (let k = rng.int(1, 4); k > 0; k--) pkt[rng.int(20, pkt.length - 1)] ^= 1 << rng.int(0, 7);
        } else accepted++;
        expect(() => ep.inject(pkt)).not.toThrow();
        if (rng.int(0, 8) === 0) sim.runUntilIdle();
      }
      sim.runUntilIdle();
      const esp = ipsec.esp;
      const dropped = Object.values(esp.drops).reduce((a, b) => a + b, 0);
      // Every ESP packet that reached ESP was delivered or dropped with a reason.
      expect(esp.stats.delivered + dropped).toBe(esp.stats.received);
      expect(esp.stats.delivered).toBeGreaterThan(0);
      expect(esp.stats.delivered).toBeLessThanOrEqual(accepted + 1500);
      expect(esp.stats.inFlight).toBe(0);
      expect(ipsec.sad.get(SPI)?.replay.top).toBeGreaterThan(0);
      host.pool.assertQuiescent();
    });
  }

  for (const card of [undefined, { queueDepth: 4 }]) {
    it(`ESN around the wrap: random high halves, low halves, reserved SPIs, truncations, flips — nothing escapes or is lost (${card === undefined ? 'cryptosoft' : 'crypto card'})`, () => {
      const { sim, host, ep, ipsec, sa } = espWorld({ esn: true, replayWindow: 128, replaySeq: 0xfffff800 }, card);
      const prng = new Prng(4303);
      const rng = (a: number, b: number) => a + prng.int(b - a + 1);
      for (let i = 1; i <= 1200; i++) {
        const inner = udpInner(5000, 4000, new Uint8Array(rng(0, 200)));
        // Climbing through the wrap of the low half with jitter of about a window (reordering, replays,
        // numbers left of the window); sometimes a random high half.
        const n = 0xfffff800 + 3 * i + rng(0, 160);
        const hi = rng(0, 15) === 0 ? rng(0, 0xffffffff) : Math.floor(n / 0x100000000);
        let pkt = espPacket({ seq: n >>> 0, esn: { hi }, nextHeader: 17, inner });
        const mode = rng(0, 4);
        if (mode === 0) {
          pkt = espPacket({
            spi: rng(0, 1) === 0 ? rng(0, 255) : rng(256, 0xffffffff),
            seq: i,
            esn: { hi: 0 },
            nextHeader: 17,
            inner,
          });
        } else if (mode === 1) {
          pkt = ipv4Packet({ src: PEER, dst: US, protocol: 50 }, pkt.subarray(20, 20 + rng(0, pkt.length - 20)));
        } else if (mode === 2) {
          pkt = pkt.slice();
          for (let k = rng(1, 4); k > 0; k--) pkt[rng(20, pkt.length - 1)] ^= 1 << rng(0, 7);
        }
        expect(() => ep.inject(pkt)).not.toThrow();
        if (rng(0, 8) === 0) sim.runUntilIdle();
      }
      sim.runUntilIdle();
      const esp = ipsec.esp;
      const dropped = Object.values(esp.drops).reduce((a, b) => a + b, 0);
      expect(esp.stats.delivered + dropped).toBe(esp.stats.received);
      expect(esp.stats.delivered).toBeGreaterThan(100);
      expect(esp.stats.inFlight).toBe(0);
      expect(sa.replay.topHi).toBe(1); // the window followed the traffic across the wrap, no further
      expect(esp.drops[EspDrop.reservedSpi]).toBeGreaterThan(0);
      expect(esp.drops[EspDrop.replay]).toBeGreaterThan(0);
      expect(esp.drops[EspDrop.icv]).toBeGreaterThan(0);
      host.pool.assertQuiescent();
    });
  }

  it('with an inbound policy requiring ESP: fuzzed ESP and clear datagrams mixed — every clear one refused, nothing lost', () => {
    const { sim, host, ep, ipsec } = espWorld({ replayWindow: 64 });
    ipsec.addPolicy({
      src: PEER,
      dst: US,
      dir: 'in',
      tmpl: { src: PEER, dst: US, proto: 'esp', reqid: 1, mode: 'transport' },
    });
    const prng = new Prng(7);
    const rng = (a: number, b: number) => a + prng.int(b - a + 1);
    let clear = 0;
    let delivered = 0;
    udpFor(host)
      .socket()
      .bind(4000)
      .onMessage((m: Mbuf) => {
        delivered++;
        m_freem(m);
      });
    for (let i = 1; i <= 1000; i++) {
      const inner = udpInner(5000, 4000, new Uint8Array(rng(0, 200)));
      let pkt: Uint8Array;
      if (rng(0, 3) === 0) {
        // The same datagram in clear (sometimes truncated or flipped): the policy must refuse it.
        pkt = ipv4Packet({ src: PEER, dst: US, protocol: 17 }, inner);
        clear++;
      } else {
        pkt = espPacket({ seq: i, nextHeader: 17, inner });
        if (rng(0, 2) === 0) pkt[rng(20, pkt.length - 1)] ^= 1 << rng(0, 7);
      }
      expect(() => ep.inject(pkt)).not.toThrow();
      if (rng(0, 8) === 0) sim.runUntilIdle();
    }
    sim.runUntilIdle();
    const esp = ipsec.esp;
    const espDrops = Object.values(esp.drops).reduce((a, b) => a + b, 0);
    expect(esp.stats.delivered + espDrops + esp.stats.policyRejected).toBe(esp.stats.received);
    expect(esp.stats.policyRejected).toBe(0); // the SA is the one the template names
    expect(ipsec.inPolicy.drops).toEqual({ [XfrmInDrop.tmplMismatch]: clear });
    expect(delivered).toBe(esp.stats.delivered);
    expect(delivered).toBeGreaterThan(0);
    expect(esp.stats.inFlight).toBe(0);
    host.pool.assertQuiescent();
  });
});
