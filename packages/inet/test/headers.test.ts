import { describe, expect, it } from 'vitest';
import {
  ICMP_ECHO,
  IcmpHeader,
  InetError,
  Ipv4Header,
  UdpHeader,
  emitIpv4,
  formatAddr,
  formatPrefix,
  isMulticast,
  multicastMac,
  parseAddr,
  parseIcmp,
  parseIpv4,
  parsePrefix,
  parseUdp,
  prefixMask,
  toAddr,
} from '../src/index.js';
import { udpDatagram } from './helpers.js';

/** 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73, DF, TTL 64, checksum 0xb861. */
const IPV4_BYTES = Uint8Array.from([
  0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00,
  0xc7,
]);

function withPayload(hdr: Uint8Array, total: number): Uint8Array {
  const b = new Uint8Array(total);
  b.set(hdr);
  return b;
}

describe('IPv4 header view and representation', () => {
  it('reads every field of a literal header through the view', () => {
    const h = new Ipv4Header(IPV4_BYTES, 0);
    expect([h.version, h.headerLength, h.tos, h.totalLength, h.ident]).toEqual([4, 20, 0, 0x73, 0]);
    expect([h.dontFragment, h.moreFragments, h.fragmentOffset, h.ttl, h.protocol]).toEqual([true, false, 0, 64, 17]);
    expect([h.checksum, formatAddr(h.src), formatAddr(h.dst)]).toEqual([0xb861, '192.168.0.1', '192.168.0.199']);
    expect(h.verifyChecksum()).toBe(true);
  });

  it('parses it into a representation and emits the same bytes back', () => {
    const r = parseIpv4(withPayload(IPV4_BYTES, 0x73));
    expect(r).toEqual({
      src: 0xc0a80001,
      dst: 0xc0a800c7,
      protocol: 17,
      ttl: 64,
      tos: 0,
      ident: 0,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      headerLength: 20,
      payloadLength: 0x73 - 20,
    });
    const out = new Uint8Array(20);
    emitIpv4(r, out);
    expect(out).toEqual(IPV4_BYTES);
  });

  it('refuses truncated, malformed and badly summed headers with the one error type', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof InetError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => parseIpv4(IPV4_BYTES.subarray(0, 19)))).toBe('truncated');
    expect(code(() => parseIpv4(IPV4_BYTES))).toBe('truncated'); // total length 0x73 > 20 bytes present
    const v6 = withPayload(IPV4_BYTES, 0x73);
    v6[0] = 0x65;
    expect(code(() => parseIpv4(v6))).toBe('malformed');
    const bad = withPayload(IPV4_BYTES, 0x73);
    bad[11] ^= 1;
    expect(code(() => parseIpv4(bad))).toBe('checksum');
  });

  it('writes fields through the view and fills the checksum', () => {
    const b = new Uint8Array(24);
    const h = new Ipv4Header().at(b, 4);
    h.setVersionAndHeaderLength(20);
    h.totalLength = 20;
    h.ttl = 1;
    h.protocol = 1;
    h.src = parseAddr('10.0.0.1');
    h.dst = parseAddr('10.0.0.2');
    h.flagsAndOffset = 0x2000 | 3;
    h.fillChecksum();
    expect(h.verifyChecksum()).toBe(true);
    expect([h.moreFragments, h.fragmentOffset]).toEqual([true, 24]);
    expect(Array.from(b.subarray(4, 8))).toEqual([0x45, 0, 0, 20]);
  });
});

describe('ICMP and UDP header views', () => {
  it('reads and writes an ICMP echo header', () => {
    const b = new Uint8Array(12);
    const h = new IcmpHeader(b);
    h.type = ICMP_ECHO;
    h.ident = 0x1234;
    h.seq = 0xabcd;
    expect(Array.from(b.subarray(0, 8))).toEqual([8, 0, 0, 0, 0x12, 0x34, 0xab, 0xcd]);
    expect(parseIcmp(b)).toMatchObject({
      type: 8,
      code: 0,
      ident: 0x1234,
      seq: 0xabcd,
      rest: 0x1234abcd,
      dataLength: 4,
    });
    expect(() => parseIcmp(b.subarray(0, 7))).toThrow(InetError);
  });

  it('parses a UDP datagram with its pseudo-header checksum', () => {
    const d = udpDatagram('10.0.0.1', '10.0.0.2', 1234, 53, Uint8Array.from([1, 2, 3]));
    const h = new UdpHeader(d);
    expect([h.srcPort, h.dstPort, h.length]).toEqual([1234, 53, 11]);
    expect(parseUdp(d, parseAddr('10.0.0.1'), parseAddr('10.0.0.2'))).toEqual({
      srcPort: 1234,
      dstPort: 53,
      payloadLength: 3,
      checksum: h.checksum,
    });
    expect(() => parseUdp(d, parseAddr('10.0.0.1'), parseAddr('10.0.0.3'))).toThrow(/checksum/);
    const none = udpDatagram('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(0), 'none');
    expect(parseUdp(none, 0, 0).checksum).toBe(0);
  });
});

describe('addresses', () => {
  it('parses and formats dotted quads and prefixes', () => {
    expect(parseAddr('10.0.0.1')).toBe(0x0a000001);
    expect(parseAddr('255.255.255.255')).toBe(0xffffffff);
    expect(formatAddr(0xc0a80001)).toBe('192.168.0.1');
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..2.3']) {
      expect(() => parseAddr(bad), bad).toThrow(InetError);
    }
    expect(parsePrefix('10.1.2.3/8')).toEqual({ addr: 0x0a010203, len: 8, mask: 0xff000000, network: 0x0a000000 });
    expect(parsePrefix('default')).toEqual({ addr: 0, len: 0, mask: 0, network: 0 });
    expect(parsePrefix('10.0.0.1').len).toBe(32);
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(InetError);
    expect(formatPrefix(0x0a000000, 8)).toBe('10.0.0.0/8');
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(toAddr(5)).toBe(5);
    expect(() => toAddr(-1)).toThrow(InetError);
    expect(isMulticast(parseAddr('239.1.2.3'))).toBe(true);
    expect(Array.from(multicastMac(parseAddr('239.129.2.3')))).toEqual([1, 0, 0x5e, 1, 2, 3]);
  });
});
