import { describe, expect, it } from 'vitest';
import {
  HASH_IPV4,
  HASH_NONE,
  HASH_TCP_IPV4,
  HASH_UDP_IPV4,
  RSS_ALL,
  RSS_DEFAULT_KEY,
  RSS_ENABLE,
  RSS_IPV4,
  RssClassifier,
  ToeplitzHasher,
  rssInputIpv4,
  toeplitzHash,
} from '../src/index.js';
import { ipv4Frame } from './helpers.js';

// Microsoft, "Verifying the RSS hash calculation" (the IPv4 rows; also DPDK's test_thash.c).
const VECTORS: [string, number, string, number, number, number][] = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
];

describe('Toeplitz hash: the Microsoft RSS verification suite', () => {
  it('default key bytes are the published ones', () => {
    const hex = Array.from(RSS_DEFAULT_KEY, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex).toBe('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa');
  });

  for (const [src, sport, dst, dport, v4, tcp] of VECTORS) {
    it(`${src}:${sport} -> ${dst}:${dport}`, () => {
      const two = rssInputIpv4(src, dst);
      const four = rssInputIpv4(src, dst, sport, dport);
      // The definition, bit by bit.
      expect(toeplitzHash(RSS_DEFAULT_KEY, two)).toBe(v4);
      expect(toeplitzHash(RSS_DEFAULT_KEY, four)).toBe(tcp);
      // The table-driven hasher the device uses.
      const h = new ToeplitzHasher();
      expect(h.hash(two, 0, 8)).toBe(v4);
      expect(h.hash(four, 0, 12)).toBe(tcp);
      // From a frame: the classifier finds the fields in the headers.
      const c = new RssClassifier(h);
      const frame = (proto: number) =>
        ipv4Frame({ dst: '02:00:00:00:00:01', srcIp: src, dstIp: dst, proto, sport, dport });
      expect(c.classify(frame(6), 0, 60, RSS_ALL)).toBe(HASH_TCP_IPV4);
      expect(c.hash).toBe(tcp);
      expect(c.classify(frame(17), 0, 60, RSS_ALL)).toBe(HASH_UDP_IPV4);
      expect(c.hash).toBe(tcp); // UDP hashes the same 12 bytes
      expect(c.classify(frame(1), 0, 60, RSS_ALL)).toBe(HASH_IPV4);
      expect(c.hash).toBe(v4);
    });
  }
});

describe('RSS classification', () => {
  const c = new RssClassifier();
  const base = { dst: '02:00:00:00:00:01', srcIp: '66.9.149.187', dstIp: '161.142.100.80', sport: 2794, dport: 1766 };

  it('fragments are hashed on the addresses only', () => {
    expect(c.classify(ipv4Frame({ ...base, proto: 6, moreFragments: true }), 0, 60, RSS_ALL)).toBe(HASH_IPV4);
    expect(c.hash).toBe(0x323e8fc2);
    const later = ipv4Frame({ ...base, proto: 6 });
    later[21] = 0x10; // fragment offset 16 × 8
    expect(c.classify(later, 0, 60, RSS_ALL)).toBe(HASH_IPV4);
  });

  it('port hashing follows the enabled types', () => {
    expect(c.classify(ipv4Frame({ ...base, proto: 6 }), 0, 60, RSS_ENABLE | RSS_IPV4)).toBe(HASH_IPV4);
    expect(c.classify(ipv4Frame({ ...base, proto: 6 }), 0, 60, RSS_ENABLE)).toBe(HASH_NONE);
    expect(c.hash).toBe(0);
  });

  it('non-IPv4, truncated and malformed headers are not hashed', () => {
    const arp = ipv4Frame(base);
    arp[13] = 0x06;
    expect(c.classify(arp, 0, 60, RSS_ALL)).toBe(HASH_NONE);
    expect(c.classify(ipv4Frame(base), 0, 30, RSS_ALL)).toBe(HASH_NONE);
    const v6 = ipv4Frame(base);
    v6[14] = 0x65;
    expect(c.classify(v6, 0, 60, RSS_ALL)).toBe(HASH_NONE);
    const shortIhl = ipv4Frame(base);
    shortIhl[14] = 0x44;
    expect(c.classify(shortIhl, 0, 60, RSS_ALL)).toBe(HASH_NONE);
  });

  it('a key of the wrong length is refused', () => {
    expect(() => new ToeplitzHasher(new Uint8Array(16))).toThrow(RangeError);
  });
});
