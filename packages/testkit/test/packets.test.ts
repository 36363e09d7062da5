import { describe, expect, it } from 'vitest';
import {
  FIXTURE_ETHERNET_ARP_REQUEST,
  FIXTURE_ICMP_ECHO,
  FIXTURE_IPV4_HEADER,
  FIXTURE_UDP_HI,
  arpPacket,
  checker,
  ethernetFrame,
  icmpEcho,
  internetChecksum,
  ipv4Packet,
  onesComplementSum,
  udpDatagram,
} from '../src/index.js';

const hi = new TextEncoder().encode('hi');

describe('RFC 1071 checksum', () => {
  it('matches the RFC 1071 worked example (00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2)', () => {
    expect(onesComplementSum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0xddf2);
  });
  it('pads an odd byte with zero and folds carries', () => {
    expect(onesComplementSum(Uint8Array.of(0xff, 0xff, 0xff))).toBe(0xff00); // 0xffff + 0xff00, carry folded
    expect(internetChecksum(Uint8Array.of(0x01))).toBe(~0x0100 & 0xffff);
  });
});

describe('builders reproduce the literal fixtures', () => {
  it('Ethernet + ARP request', () => {
    const arp = arpPacket({ op: 1, senderHw: '02:00:00:00:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
    expect(ethernetFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', type: 0x0806 }, arp)).toEqual(
      FIXTURE_ETHERNET_ARP_REQUEST,
    );
  });
  it('IPv4 header with the textbook checksum 0xb861', () => {
    const p = ipv4Packet({
      src: '192.168.0.1',
      dst: '192.168.0.199',
      protocol: 17,
      dontFragment: true,
      totalLength: 115,
    });
    expect(p).toEqual(FIXTURE_IPV4_HEADER);
  });
  it('UDP with the pseudo-header checksum computed by hand', () => {
    expect(udpDatagram({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 5678 }, hi)).toEqual(FIXTURE_UDP_HI);
  });
  it('ICMP echo request', () => {
    expect(icmpEcho('request', 1, 1)).toEqual(FIXTURE_ICMP_ECHO);
  });
});

describe('composable checkers', () => {
  const udp = udpDatagram({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 5678 }, hi);
  const ip = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, ttl: 63, id: 7 }, udp);
  const frame = ethernetFrame({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 0x0800 }, ip);

  it('pass on a correct packet, nested through every layer', () => {
    checker.Ethernet(
      frame,
      checker.EthDst('02:00:00:00:00:02'),
      checker.EtherType(0x0800),
      checker.IPv4(
        checker.SrcAddr('10.0.0.1'),
        checker.DstAddr('10.0.0.2'),
        checker.TTL(63),
        checker.ID(7),
        checker.UDP(
          checker.SrcPort(1234),
          checker.DstPort(5678),
          checker.UDPChecksumPresent(true),
          checker.Payload(hi),
        ),
      ),
    );
    checker.ARP(FIXTURE_ETHERNET_ARP_REQUEST.subarray(14), checker.ArpOp(1), checker.ArpTargetIp('10.0.0.2'));
    checker.Ethernet(
      FIXTURE_ETHERNET_ARP_REQUEST,
      checker.ARP(checker.ArpSenderHw('02:00:00:00:00:01'), checker.ArpSenderIp('10.0.0.1')),
    );
    checker.ICMP(FIXTURE_ICMP_ECHO, checker.ICMPType(8), checker.ICMPCode(0), checker.ICMPId(1), checker.ICMPSeq(1));
    const whole = new Uint8Array(115);
    whole.set(FIXTURE_IPV4_HEADER);
    checker.IPv4(
      whole,
      checker.DontFragment(true),
      checker.MoreFragments(false),
      checker.TotalLength(115),
      checker.Protocol(17),
    );
    expect(() => checker.IPv4(FIXTURE_IPV4_HEADER)).toThrow(
      'IPv4 total length: got 115, want 20..20 (the bytes present)',
    );
  });

  it('name the layer path, the field and both values', () => {
    expect(() => checker.IPv4(ip, checker.TTL(64))).toThrow('IPv4 TTL: got 63, want 64');
    expect(() => checker.Ethernet(frame, checker.IPv4(checker.UDP(checker.DstPort(53))))).toThrow(
      'Ethernet > IPv4 > UDP destination port: got 5678, want 53',
    );
    expect(() => checker.IPv4(ip, checker.SrcAddr('10.9.9.9'))).toThrow(
      'IPv4 source address: got 10.0.0.1, want 10.9.9.9',
    );
    expect(() => checker.Ethernet(frame, checker.EthSrc('02:00:00:00:00:09'))).toThrow(
      'Ethernet source: got 02:00:00:00:00:01, want 02:00:00:00:00:09',
    );
  });

  it('validate checksums and lengths with the kit’s own sum', () => {
    const bad = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, badChecksum: true }, udp);
    expect(() => checker.IPv4(bad)).toThrow(
      /IPv4 header checksum: got 0x[0-9a-f]{4}, want a value that sums to 0xffff/,
    );
    const badUdp = ipv4Packet(
      { src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 },
      udpDatagram({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, checksum: 'bad' }, hi),
    );
    expect(() => checker.IPv4(badUdp, checker.UDP())).toThrow(/IPv4 > UDP checksum/);
    expect(() => checker.IPv4(ip, checker.ICMP())).toThrow('IPv4 protocol: got 17, want 1');
    expect(() => checker.UDP(udp, checker.TTL(1))).toThrow(/UDP TTL: got a checker for IPv4/);
    expect(() => checker.IPv4(ip.subarray(0, 10))).toThrow(
      /IPv4 length \(IPv4 header\): got 10 bytes, want at least 20/,
    );
  });

  it('accept packets that the builders make for many field values', () => {
    for (let i = 0; i < 200; i++) {
      const data = Uint8Array.from({ length: i }, (_, k) => (k * 31 + i) & 0xff);
      const src = `10.${i}.0.1`;
      const dst = `192.168.${255 - i}.9`;
      const p = ipv4Packet(
        { src, dst, protocol: 17, ttl: (i % 255) + 1, id: i * 257 },
        udpDatagram({ src, dst, srcPort: 1000 + i, dstPort: 65535 - i }, data),
      );
      checker.IPv4(
        p,
        checker.SrcAddr(src),
        checker.DstAddr(dst),
        checker.UDP(checker.SrcPort(1000 + i), checker.Payload(data)),
      );
      checker.ICMP(
        icmpEcho('reply', i, i * 3, data),
        checker.ICMPType(0),
        checker.ICMPSeq(i * 3),
        checker.Payload(data),
      );
    }
  });
});
