import { ChannelEndpoint, type Host, type Mbuf, Simulation, createPlatform, m_freem } from '@ifnet/core';
import { aesGcmInPlace } from '@ifnet/crypto';
import { CryptoCardDevice, type CryptoCardOptions, registerCryptoCard } from '@ifnet/cryptocard';
import { inetFor, registerInet, udpFor } from '@ifnet/inet';
import { ipv4Packet, udpDatagram } from '@ifnet/testkit';
import { XFRM_AEAD_RFC4106, type XfrmStateSpec, ipsecFor, registerIpsec } from '../src/index.js';

export const US = '10.0.0.1';
export const PEER = '10.0.0.2';
export const KEY = `0x${'5a'.repeat(16)}0badcafe`;
export const SPI = 0x200;

export function espSpec(over: Partial<XfrmStateSpec> = {}): XfrmStateSpec {
  return {
    src: PEER,
    dst: US,
    proto: 'esp',
    spi: SPI,
    reqid: 1,
    mode: 'transport',
    aead: { name: XFRM_AEAD_RFC4106, key: KEY, icvBits: 128 },
    ...over,
  };
}

/** A host with IPv4, UDP, ICMP and IPsec (and a crypto card when `card` is given), one raw channel at 10.0.0.1/24 and one inbound SA from PEER. */
export function espWorld(over: Partial<XfrmStateSpec> = {}, card?: CryptoCardOptions) {
  const sim = new Simulation({ seed: 1 });
  const platform = registerIpsec(registerInet(createPlatform()));
  if (card !== undefined) registerCryptoCard(platform);
  const host = platform.createHost({ name: 'a', runner: sim });
  if (card !== undefined) {
    host.attachDevice(new CryptoCardDevice(card));
    host.autoconf();
  }
  const ep = new ChannelEndpoint(host, { raw: { proto: 0x0800 }, mtu: 1500 });
  ep.ifp.upIf();
  const inet = inetFor(host);
  inet.addAddress(ep.ifp, `${US}/24`);
  const ipsec = ipsecFor(host);
  const sa = ipsec.addState(espSpec(over));
  return { sim, host, ep, inet, ipsec, sa };
}

function hex(s: string): Uint8Array {
  const h = s.startsWith('0x') ? s.slice(2) : s;
  return Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export interface EspBuild {
  spi?: number;
  seq: number;
  /** Extended sequence numbers: the high 32 bits go into the AAD (and the IV), never on the wire. */
  esn?: { hi: number };
  nextHeader: number;
  inner: Uint8Array;
  key?: string;
  /** Corruptions for negative tests. */
  badPadding?: boolean;
}

/**
 * An IPv4 ESP packet built independently of the package under test: RFC 4303 layout, RFC 4106 nonce and
 * AAD, encrypted by the framework's AES-GCM helper (noble).
 */
export function espPacket(b: EspBuild, src = PEER, dst = US): Uint8Array {
  const km = hex(b.key ?? KEY);
  const key = km.subarray(0, km.length - 4);
  const salt = km.subarray(km.length - 4);
  const padLen = (4 - ((b.inner.length + 2) % 4)) % 4;
  const ptLen = b.inner.length + padLen + 2;
  const esp = new Uint8Array(8 + 8 + ptLen + 16);
  const v = new DataView(esp.buffer);
  v.setUint32(0, b.spi ?? SPI);
  v.setUint32(4, b.seq);
  const hi = b.esn?.hi ?? 0;
  const iv = Uint8Array.of(
    hi >>> 24,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    0,
    0,
    (b.seq >>> 8) & 0xff,
    b.seq & 0xff,
  );
  esp.set(iv, 8);
  esp.set(b.inner, 16);
  for (let i = 0; i < padLen; i++) esp[16 + b.inner.length + i] = b.badPadding === true ? 9 : i + 1;
  esp[16 + ptLen - 2] = padLen;
  esp[16 + ptLen - 1] = b.nextHeader;
  const nonce = new Uint8Array(12);
  nonce.set(salt, 0);
  nonce.set(iv, 4);
  const aad = new Uint8Array(b.esn === undefined ? 8 : 12);
  const av = new DataView(aad.buffer);
  av.setUint32(0, b.spi ?? SPI);
  if (b.esn === undefined) av.setUint32(4, b.seq);
  else {
    av.setUint32(4, hi);
    av.setUint32(8, b.seq);
  }
  aesGcmInPlace(true, key, nonce, aad, esp, 16, ptLen);
  return ipv4Packet({ src, dst, protocol: 50, id: b.seq & 0xffff }, esp);
}

export function udpInner(sport: number, dport: number, data: Uint8Array, src = PEER, dst = US): Uint8Array {
  return udpDatagram({ src, dst, srcPort: sport, dstPort: dport, checksum: 'ok' }, data);
}

/**
 * {@link espWorld} plus an outbound SA (US → PEER, `spi`, `key`) and the `dir out` and `dir in` policies that
 * protect traffic between US and PEER both ways (reqid 1).
 */
export function outboundWorld(card?: CryptoCardOptions, spi = 0x100, key = `0x${'c3'.repeat(16)}11223344`) {
  const w = espWorld({}, card);
  const out = w.ipsec.addState({
    src: US,
    dst: PEER,
    proto: 'esp',
    spi,
    reqid: 1,
    mode: 'transport',
    aead: { name: XFRM_AEAD_RFC4106, key, icvBits: 128 },
  });
  for (const [src, dst, dir] of [
    [US, PEER, 'out'],
    [PEER, US, 'in'],
  ] as const) {
    w.ipsec.addPolicy({ src, dst, dir, tmpl: { src, dst, proto: 'esp', reqid: 1, mode: 'transport' } });
  }
  return { ...w, out };
}

/** A UDP socket on `port` of `host` that records the length of each datagram it receives and frees it. */
export function udpSink(host: Host, port = 4000): number[] {
  const got: number[] = [];
  udpFor(host)
    .socket()
    .bind(port)
    .onMessage((m: Mbuf) => {
      got.push(m.pkthdr.len);
      m_freem(m);
    });
  return got;
}
