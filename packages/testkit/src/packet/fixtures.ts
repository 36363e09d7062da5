/**
 * Literal byte fixtures, one per header, written out by hand (as smoltcp keeps them next to its code), so
 * tests can compare builders and parsers against bytes nobody computed with the code under test.
 *
 * @module
 */

/** An Ethernet II frame carrying an ARP request: who has 10.0.0.2? tell 10.0.0.1 (02:00:00:00:00:01). */
export const FIXTURE_ETHERNET_ARP_REQUEST = Uint8Array.of(
  // Ethernet: destination broadcast, source 02:00:00:00:00:01, ethertype 0x0806 (ARP)
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0x02,
  0x00,
  0x00,
  0x00,
  0x00,
  0x01,
  0x08,
  0x06,
  // ARP: hardware 1 (Ethernet), protocol 0x0800, hln 6, pln 4, op 1 (request)
  0x00,
  0x01,
  0x08,
  0x00,
  0x06,
  0x04,
  0x00,
  0x01,
  // sender 02:00:00:00:00:01 / 10.0.0.1
  0x02,
  0x00,
  0x00,
  0x00,
  0x00,
  0x01,
  0x0a,
  0x00,
  0x00,
  0x01,
  // target 00:00:00:00:00:00 / 10.0.0.2
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x0a,
  0x00,
  0x00,
  0x02,
);

/**
 * An IPv4 header (the worked example of the IPv4 header checksum that textbooks and Wikipedia use):
 * total length 115, DF, TTL 64, UDP, 192.168.0.1 → 192.168.0.199, checksum 0xb861.
 */
export const FIXTURE_IPV4_HEADER = Uint8Array.of(
  0x45,
  0x00,
  0x00,
  0x73, // version 4, IHL 5, TOS 0, total length 115
  0x00,
  0x00,
  0x40,
  0x00, // id 0, DF, offset 0
  0x40,
  0x11,
  0xb8,
  0x61, // TTL 64, protocol 17, checksum 0xb861
  0xc0,
  0xa8,
  0x00,
  0x01, // 192.168.0.1
  0xc0,
  0xa8,
  0x00,
  0xc7, // 192.168.0.199
);

/**
 * A UDP datagram 10.0.0.1:1234 → 10.0.0.2:5678 carrying "hi". Checksum by hand: pseudo-header
 * 0a00+0001+0a00+0002+0011+000a = 0x141e; header and data 04d2+162e+000a+6869 = 0x8373; sum 0x9791,
 * complement 0x686e.
 */
export const FIXTURE_UDP_HI = Uint8Array.of(0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x68, 0x6e, 0x68, 0x69);

/** An ICMP echo request, id 1, seq 1, no data: 0800+0001+0001 = 0x0802, complement 0xf7fd. */
export const FIXTURE_ICMP_ECHO = Uint8Array.of(0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, 0x01);
