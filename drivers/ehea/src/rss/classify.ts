/**
 * Which bytes of an Ethernet frame receive-side scaling hashes, and with what type: the parser the device
 * runs on every received frame, and the driver on every transmitted one (its software flow hash, Linux's
 * `skb_get_hash` for picking a send queue).
 *
 * - IPv4 (ethertype 0x0800, version 4, a header that fits the frame): the addresses;
 * - plus the ports for TCP (6) or UDP (17) when the datagram is not a fragment (MF clear and offset 0)
 *   and the first 4 bytes of the transport header are in the frame;
 * - anything else (ARP, IPv6, 802.1Q-tagged, truncated): not hashed.
 *
 * @module
 */
import { HASH_IPV4, HASH_NONE, HASH_TCP_IPV4, HASH_UDP_IPV4, RSS_IPV4, RSS_TCP_IPV4, RSS_UDP_IPV4 } from '../regs.js';
import { ToeplitzHasher } from './toeplitz.js';

const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/**
 * Classifies frames and hashes their flow. {@link classify} returns the hash type and leaves the hash in
 * {@link hash} (no object is returned, so nothing is allocated).
 */
export class RssClassifier {
  readonly hasher: ToeplitzHasher;
  /** The hash of the last frame classified (0 when its type was `HASH_NONE`). */
  hash = 0;

  constructor(hasher: ToeplitzHasher = new ToeplitzHasher()) {
    this.hasher = hasher;
  }

  /**
   * Hashes `frame[off, off + len)` for the hash types enabled in `types` (`RSS_IPV4`, `RSS_TCP_IPV4`,
   * `RSS_UDP_IPV4` bits). Returns `HASH_NONE`, `HASH_IPV4`, `HASH_TCP_IPV4` or `HASH_UDP_IPV4`.
   */
  classify(frame: Uint8Array, off: number, len: number, types: number): number {
    this.hash = 0;
    if ((types & RSS_IPV4) === 0 || len < 34) return HASH_NONE;
    if (((frame[off + 12] << 8) | frame[off + 13]) !== ETHERTYPE_IPV4) return HASH_NONE;
    const ip = off + 14;
    const vihl = frame[ip];
    const hlen = (vihl & 0x0f) << 2;
    if (vihl >>> 4 !== 4 || hlen < 20 || 14 + hlen > len) return HASH_NONE;
    const addr = ip + 12;
    const fragment = ((frame[ip + 6] & 0x3f) | frame[ip + 7]) !== 0; // MF or a fragment offset
    const proto = frame[ip + 9];
    if (!fragment && 14 + hlen + 4 <= len) {
      const tcp = proto === IPPROTO_TCP && (types & RSS_TCP_IPV4) !== 0;
      if (tcp || (proto === IPPROTO_UDP && (types & RSS_UDP_IPV4) !== 0)) {
        this.fold(frame, addr, ip + hlen, 4);
        return tcp ? HASH_TCP_IPV4 : HASH_UDP_IPV4;
      }
    }
    this.fold(frame, addr, 0, 0);
    return HASH_IPV4;
  }

  /**
   * The table lookups of {@link ToeplitzHasher.hashIpv4Ports} (or of the addresses only, `portLen` 0),
   * with the result left in {@link hash}: stored in a field, a uint32 above 2^30 is not boxed.
   */
  private fold(frame: Uint8Array, addrOff: number, portOff: number, portLen: number): void {
    const t = this.hasher.table;
    let h = 0;
    for (let i = 0; i < 8; i++) h ^= t[(i << 8) | frame[addrOff + i]];
    for (let i = 0; i < portLen; i++) h ^= t[((8 + i) << 8) | frame[portOff + i]];
    this.hash = h >>> 0;
  }
}
