import { type Mbuf, m_copydata, m_freem } from '@ifnet/core';
import { aesGcmInPlace } from '@ifnet/crypto';
import { cksumBytes, inetFor } from '@ifnet/inet';
import { ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { EspDrop, XFRM_AEAD_RFC4106 } from '../src/index.js';
import { PEER, US, espWorld } from './esp-helpers.js';

/**
 * The AES-GCM ESP test cases of draft-mcgrew-gcm-test-01 section 4 (McGrew, "Test Cases for the use of GCM
 * and GMAC in IPsec ESP", 2009): key, nonce (= salt ‖ explicit IV), AAD (= SPI ‖ sequence number, 64-bit
 * when extended sequence numbers are in use), the plaintext ESP payload (the draft's packets are tunnel-mode
 * payloads: an inner IPv4 packet, then padding, pad length and next header) and ciphertext ‖ ICV.
 */
interface DraftCase {
  name: string;
  key: string;
  nonce: string;
  aad: string;
  plain: string;
  ct: string;
  tag: string;
}

const CASES: DraftCase[] = [
  {
    name: 'case 1 (AES-128, ESN)',
    key: '4c80cdefbb5d10da906ac73c3613a634',
    nonce: '2e443b684956ed7e3b244cfe',
    aad: '000043218765432100000000',
    plain:
      '45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201',
    ct: 'fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732',
    tag: '459018148f6cbe722fd04796562dfdb4',
  },
  {
    name: 'case 2 (AES-128)',
    key: 'feffe9928665731c6d6a8f9467308308',
    nonce: 'cafebabefacedbaddecaf888',
    aad: '0000a5f80000000a',
    plain:
      '4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369700963796265726369747902646b00000100010001',
    ct: 'deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1',
    tag: '83b70d3aa8bc6ee4c309e9d85a41ad4a',
  },
  {
    name: 'case 3 (AES-256)',
    key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab',
    nonce: '112233440102030405060708',
    aad: '4a2cbfe300000002',
    plain: '4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201',
    ct: 'ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8e',
    tag: 'b335f4eecfdbf831824b4c4915956c96',
  },
  {
    name: 'case 4 (AES-128, SPI 0)',
    key: '00000000000000000000000000000000',
    nonce: '000000000000000000000000',
    aad: '0000000000000001',
    plain:
      '4500003c99c500008001cb7a40679318010101010800075c020044006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201',
    ct: '4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3',
    tag: 'f821d496eeb096e98ad2b69e4799c71d',
  },
  {
    name: 'case 5 (AES-128, ESN)',
    key: '3de09874b388e6491988d0c3607eae1f',
    nonce: '57690e434e280000a2fca1a3',
    aad: '42f67e3f1010101010101010',
    plain:
      '4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201',
    ct: 'fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a',
    tag: 'e0d731cc978ecafaeae88f00e80d6e48',
  },
  {
    name: 'case 6 (AES-128, ESN)',
    key: '3de09874b388e6491988d0c3607eae1f',
    nonce: '57690e434e280000a2fca1a3',
    aad: '42f67e3f1010101010101010',
    plain: '4500001c42a200008001441f406793b6e00000020a00f5ff01020201',
    ct: 'fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed',
    tag: '369f071f35e034be95f112e4e7d05d35',
  },
  {
    name: 'case 7 (AES-192)',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c',
    nonce: 'cafebabefacedbaddecaf888',
    aad: '0000a5f80000000a',
    plain: '45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001',
    ct: 'a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc77',
    tag: '95457b9652037f5318027b5b4cd7a636',
  },
  {
    name: 'case 8 (AES-128, ESN)',
    key: 'abbccddef00112233445566778899aab',
    nonce: 'decaf888cafedebaceface74',
    aad: '000001000000000000000001',
    plain:
      '4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101',
    ct: '18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68',
    tag: '651f57e65f354f75ff17015769623436',
  },
  {
    name: 'case 9 (AES-256, ESN)',
    key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab',
    nonce: '73616c74616e640169766563',
    aad: '17405e67156f3126dd0db99b',
    plain: '45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001',
    ct: 'f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e',
    tag: '451626c2415771e3b7eebca614c89b35',
  },
  {
    name: 'case 10 (AES-128, ESN)',
    key: '3de09874b388e6491988d0c3607eae1f',
    nonce: '57690e434e280000a2fca1a3',
    aad: '42f67e3f1010101010101010',
    plain:
      '45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101',
    ct: 'fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975',
    tag: 'cdb608c5769189609763b8e18caa81e2',
  },
  {
    name: 'case 11 (AES-256, ESN)',
    key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab',
    nonce: '73616c74616e640169766563',
    aad: '17405e67156f3126dd0db99b',
    plain:
      '636973636f0172756c657301746865016e6574776501646566696e6501746865746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201',
    ct: 'd4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8',
    tag: 'c0cac587f249e56b11e24f30e44ccc76',
  },
  {
    name: 'case 12 (AES-128, sequence number 2^32-1, empty payload)',
    key: '7d773d00c144c525ac619d18c84a3f47',
    nonce: 'd966426743457e9182443bc6',
    aad: '335467aeffffffff',
    plain: '01020201',
    ct: '437f866b',
    tag: 'cb3f699fe9b0822bac961c4504bef270',
  },
  {
    name: 'case 13 (AES-128, ESN)',
    key: 'abbccddef00112233445566778899aab',
    nonce: 'decaf888cafedebaceface74',
    aad: '000001000000000000000001',
    plain: '746f016265016f72016e6f7401746f0162650001',
    ct: '29c9fc69a197d038ccdd14e2ddfcaa0543332164',
    tag: '412503524303ed3c6c5f283843af8c3e',
  },
  {
    name: 'case 14 (AES-256, ESN)',
    key: '6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961',
    nonce: '7475726e333021696765746d',
    aad: '796b6963ffffffffffffffff',
    plain: '45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201',
    ct: 'f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9',
    tag: 'd0937ba2945f669368661a329fb4c053',
  },
];

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

/** SPI, high and low halves of the sequence number, and whether the case uses ESN (a 12-byte AAD). */
function seqOf(c: DraftCase) {
  const esn = c.aad.length === 24;
  const spi = Number.parseInt(c.aad.slice(0, 8), 16);
  const hi = esn ? Number.parseInt(c.aad.slice(8, 16), 16) : 0;
  const lo = Number.parseInt(c.aad.slice(esn ? 16 : 8), 16);
  return { esn, spi, hi, lo };
}

/**
 * Which cases ESP input takes: every one but case 4, whose SPI 0 is reserved (RFC 4303 2.1: no SA can
 * have it, and ESP input refuses it before looking). The ESN cases need `flag esn`; case 7 an AES-192 key.
 */
function throughEsp(c: DraftCase): boolean {
  return seqOf(c).spi >= 256;
}

/** The IPv4 ESP packet carrying a case: SPI ‖ low 32 bits of the sequence number, explicit IV (nonce bytes 4..11), ciphertext ‖ ICV. */
function packet(c: DraftCase, mutate?: (esp: Uint8Array) => void): Uint8Array {
  const aad = hex(c.aad);
  const hdr = aad.length === 12 ? [...aad.subarray(0, 4), ...aad.subarray(8)] : [...aad];
  const esp = new Uint8Array([...hdr, ...hex(c.nonce).subarray(4), ...hex(c.ct), ...hex(c.tag)]);
  mutate?.(esp);
  return ipv4Packet({ src: PEER, dst: US, protocol: 50 }, esp);
}

/**
 * A host with the case's SA, and a catcher on its next-header protocol that keeps what ESP delivers. With
 * ESN the inbound window starts one below the case's 64-bit number (`replay-seq`, `replay-seq-hi`), so
 * the receiver must infer the high half as RFC 4303 Appendix A2.2 says (across a wrap for cases 1 and 14's
 * neighbours). `esn: false` forces a 32-bit SA on an ESN case.
 */
function world(c: DraftCase, esn = seqOf(c).esn) {
  const plain = hex(c.plain);
  const nextHeader = plain[plain.length - 1];
  const q = seqOf(c);
  const start = esn
    ? q.lo === 0
      ? { replaySeq: 0xffffffff, replaySeqHi: q.hi - 1 }
      : { replaySeq: q.lo - 1, replaySeqHi: q.hi }
    : {};
  const w = espWorld({
    spi: q.spi,
    aead: { name: XFRM_AEAD_RFC4106, key: `0x${c.key}${c.nonce.slice(0, 8)}`, icvBits: 128 },
    ...(esn ? { esn: true, ...start } : {}),
  });
  const protocols = inetFor(w.host).protocols;
  protocols.unregister(nextHeader);
  const got: { ip: Uint8Array; payload: Uint8Array }[] = [];
  protocols.register(nextHeader, 'draft-catcher', (m: Mbuf, off: number) => {
    const all = new Uint8Array(m.pkthdr.len);
    m_copydata(m, 0, all.length, all, 0);
    got.push({ ip: all.subarray(0, off), payload: all.subarray(off) });
    m_freem(m);
  });
  return { ...w, got, plain, nextHeader };
}

describe('draft-mcgrew-gcm-test-01 ESP packets, decoded through ESP input', () => {
  it('every case checks out at the GCM layer (the transcription is right), AES-192 included', () => {
    for (const c of CASES) {
      const ct = new Uint8Array([...hex(c.ct), ...hex(c.tag)]);
      const n = hex(c.ct).length;
      const status = aesGcmInPlace(false, hex(c.key), hex(c.nonce), hex(c.aad), ct, 0, n);
      expect(status, c.name).toBe(0);
      expect(ct.subarray(0, n), c.name).toEqual(hex(c.plain));
    }
    expect(CASES.filter((c) => !throughEsp(c)).map((c) => c.name)).toEqual(['case 4 (AES-128, SPI 0)']);
  });

  it('case 4 (SPI 0, reserved) is refused by ESP input as a counted drop, with its own bytes', () => {
    const c = CASES[3];
    const { sim, host, ep, ipsec, got } = world(CASES[1]);
    ep.inject(packet(c));
    sim.runUntilIdle();
    expect(ipsec.esp.drops).toEqual({ [EspDrop.reservedSpi]: 1 });
    expect(ipsec.esp.stats.received).toBe(1);
    expect(got).toEqual([]);
    host.pool.assertQuiescent();
  });

  for (const c of CASES.filter(throughEsp)) {
    it(`${c.name}: decrypted, padding and next header checked, the payload handed to its protocol`, () => {
      const q = seqOf(c);
      const { sim, host, ep, ipsec, sa, got, plain, nextHeader } = world(c);
      ep.inject(packet(c));
      sim.runUntilIdle();
      expect(ipsec.esp.drops).toEqual({});
      const padLen = plain[plain.length - 2];
      expect(got.length).toBe(1);
      expect(got[0].payload).toEqual(plain.subarray(0, plain.length - 2 - padLen));
      // The IP header now says what ESP carried: protocol = next header, length without ESP, valid checksum.
      const ip = got[0].ip;
      expect(ip[9]).toBe(nextHeader);
      expect((ip[2] << 8) | ip[3]).toBe(ip.length + got[0].payload.length);
      expect(cksumBytes(ip, 0, ip.length)).toBe(0xffff);
      expect([sa.replay.topHi, sa.replay.top]).toEqual([q.hi, q.lo]);
      // The same packet again is a replay; with one bit of the ICV flipped it is an ICV failure.
      ep.inject(packet(c));
      const w2 = world(c);
      w2.ep.inject(packet(c, (esp) => (esp[esp.length - 1] ^= 0x80)));
      sim.runUntilIdle();
      w2.sim.runUntilIdle();
      expect(ipsec.esp.drops).toEqual({ [EspDrop.replay]: 1 });
      expect(w2.ipsec.esp.drops).toEqual({ [EspDrop.icv]: 1 });
      expect(w2.got).toEqual([]);
      host.pool.assertQuiescent();
      w2.host.pool.assertQuiescent();
      if (q.esn) {
        // The high half is authenticated though never sent: a 32-bit SA (8-byte AAD) fails the ICV (or, for
        // case 1's low half 0, refuses sequence number 0 before decrypting).
        const w3 = world(c, false);
        w3.ep.inject(packet(c));
        w3.sim.runUntilIdle();
        expect(w3.ipsec.esp.drops).toEqual({ [q.lo === 0 ? EspDrop.replay : EspDrop.icv]: 1 });
        w3.host.pool.assertQuiescent();
      }
    });
  }
});
