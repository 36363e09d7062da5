import type { Mbuf } from '../mbuf/mbuf.js';
import type { Ifnet } from './ifnet.js';

/** Interface types (`IFT_*` from `net/if_types.h`). */
export const IFT_OTHER = 0x01;
export const IFT_ETHER = 0x06;
export const IFT_LOOP = 0x18;

/**
 * A link layer (`<iftype>_input` / `<iftype>_output` of seed 000; `ether_input`, `looutput` in BSD): how an
 * interface type frames packets. Registered per interface type through DI (`LINK_LAYER` token), so a
 * driver only says "I am an Ethernet interface" and the host finds the framing; the Ethernet one lives in
 * `@ifnet/ether`, the loopback one in core.
 */
export interface LinkLayer {
  /** The `IFT_*` type it frames. */
  readonly ifType: number;
  readonly name: string;
  /** Link header length in bytes (`if_hdrlen`). */
  readonly hdrlen: number;
  /** Link address length in bytes (`if_addrlen`; 6 for Ethernet, 0 for loopback). */
  readonly addrlen: number;
  /** Called once when an interface of this type is attached (`ether_ifattach`). */
  attach?(ifp: Ifnet): void;
  /** Called once when an interface of this type is detached (`ether_ifdetach`), after the protocols. */
  detach?(ifp: Ifnet): void;
  /**
   * Decodes the link header of a received packet and dispatches it by table lookup. Owns `m`: it hands it
   * to a protocol's input or frees it, counting the drop with a reason on `ifp`.
   */
  input(ifp: Ifnet, m: Mbuf): void;
  /**
   * Frames an outgoing packet for `dst` (a protocol-specific destination, e.g. an IPv4 next hop) and
   * queues it on the interface. `proto` is the ethertype-like key of the payload. Owns `m`.
   * Returns false if the packet was dropped (counted).
   */
  output(ifp: Ifnet, m: Mbuf, proto: number, dst: unknown): boolean;
}
