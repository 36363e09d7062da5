import { GCM_TAG_LEN, aesGcmInPlace } from '@ifnet/crypto';
import { IPPROTO_ICMP, parseAddr, udpFor } from '@ifnet/inet';
import { icmpMessage } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { EspOutDrop } from '../src/index.js';
import { PEER, US, espPacket, espWorld, outboundWorld } from './esp-helpers.js';

const OUT_KEY = `0x${'c3'.repeat(16)}11223344`;
const OUT_SPI = 0x100;

const withOutbound = (card?: { queueDepth: number }) => outboundWorld(card, OUT_SPI, OUT_KEY);

/** Decrypts an ESP packet the host sent, independently of the package: returns [next header, inner, seq]. */
function openEsp(pkt: Uint8Array): [number, Uint8Array, number] {
  expect(pkt[9]).toBe(50);
  const hlen = (pkt[0] & 0x0f) * 4;
  const v = new DataView(pkt.buffer, pkt.byteOffset);
  expect(v.getUint32(hlen)).toBe(OUT_SPI);
  const seq = v.getUint32(hlen + 4);
  const km = Uint8Array.from(OUT_KEY.slice(2).match(/../g) ?? [], (b) => Number.parseInt(b, 16));
  const nonce = new Uint8Array(12);
  nonce.set(km.subarray(16), 0);
  nonce.set(pkt.subarray(hlen + 8, hlen + 16), 4);
  const ct = pkt.slice(hlen + 16);
  const len = ct.length - GCM_TAG_LEN;
  expect(aesGcmInPlace(false, km.subarray(0, 16), nonce, pkt.subarray(hlen, hlen + 8), ct, 0, len)).toBe(0);
  const padLen = ct[len - 2];
  for (let i = 0; i < padLen; i++) expect(ct[len - 2 - padLen + i]).toBe(i + 1);
  expect(len % 4).toBe(0);
  return [ct[len - 1], ct.subarray(0, len - 2 - padLen), seq];
}

describe('ESP output (policy-matched, the mirror image of input)', () => {
  for (const card of [undefined, { queueDepth: 4 }]) {
    it(`a ping in ESP is answered in ESP; UDP datagrams of several sizes leave as ESP (${card ? 'card' : 'cryptosoft'})`, () => {
      const { sim, host, ep, ipsec } = withOutbound(card);
      const echo = icmpMessage(8, 0, (7 << 16) | 1, Uint8Array.of(1, 2, 3, 4, 5));
      ep.inject(espPacket({ seq: 1, nextHeader: IPPROTO_ICMP, inner: echo }));
      sim.runUntilIdle();
      expect(ep.sent.length).toBe(1);
      const [nh, reply, seq] = openEsp(ep.sent[0].bytes);
      expect(nh).toBe(IPPROTO_ICMP);
      expect(reply[0]).toBe(0); // echo reply
      expect(reply.subarray(8)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
      expect(seq).toBe(1);
      const s = udpFor(host).socket().bind(4000);
      const sizes = [0, 1, 2, 3, 100, 1000, 1400];
      for (const n of sizes) s.sendTo(new Uint8Array(n).fill(n & 0xff), parseAddr(PEER), 5000);
      sim.runUntilIdle();
      expect(ep.sent.length).toBe(1 + sizes.length);
      sizes.forEach((n, i) => {
        const [h, inner, q] = openEsp(ep.sent[1 + i].bytes);
        expect(h).toBe(17);
        expect(q).toBe(2 + i);
        expect(inner.subarray(8)).toEqual(new Uint8Array(n).fill(n & 0xff));
      });
      expect(ipsec.espOut.drops).toEqual({});
      expect(ipsec.espOut.stats.inFlight).toBe(0);
      host.pool.assertQuiescent();
    });
  }

  it('a policy without a state drops with esp.out.nostate; traffic no policy matches leaves in clear', () => {
    const { sim, host, ep, ipsec } = withOutbound();
    ipsec.deleteState(OUT_SPI);
    const s = udpFor(host).socket().bind(4000);
    s.sendTo(new Uint8Array(4), parseAddr(PEER), 5000);
    s.sendTo(new Uint8Array(4), parseAddr('10.0.0.3'), 5000);
    sim.runUntilIdle();
    expect(ipsec.espOut.drops).toEqual({ [EspOutDrop.noState]: 1 });
    expect(ep.sent.length).toBe(1);
    expect(ep.sent[0].bytes[9]).toBe(17);
    host.pool.assertQuiescent();
  });

  it('the template picks the SA: its reqid, or its SPI when it names one', () => {
    for (const [tmpl, want] of [
      [{ reqid: 1 }, OUT_SPI],
      [{ spi: OUT_SPI + 1 }, OUT_SPI + 1],
    ] as const) {
      const { sim, host, ep, ipsec, sa } = espWorld();
      for (const [spi, reqid] of [
        [OUT_SPI, 1],
        [OUT_SPI + 1, 2],
      ]) {
        ipsec.addState({ ...sa.spec, src: US, dst: PEER, spi, reqid, aead: { ...sa.spec.aead, key: OUT_KEY } });
      }
      ipsec.addPolicy({
        src: US,
        dst: PEER,
        dir: 'out',
        tmpl: { src: US, dst: PEER, proto: 'esp', mode: 'transport', ...tmpl },
      });
      udpFor(host).socket().bind(4000).sendTo(new Uint8Array(4), parseAddr(PEER), 5000);
      sim.runUntilIdle();
      const b = ep.sent[0].bytes;
      expect(new DataView(b.buffer, b.byteOffset).getUint32(20)).toBe(want);
      expect(ipsec.espOut.drops).toEqual({});
      host.pool.assertQuiescent();
    }
  });
});
