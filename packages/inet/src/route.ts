/**
 * The IPv4 routing table: where a datagram goes next.
 *
 * A route maps a destination prefix to an interface and, for networks that are not directly attached, a
 * gateway. Lookup is *longest prefix match*: of all routes whose prefix contains the address, the most
 * specific wins; among equally specific routes, the first added. The table holds three kinds of routes:
 *
 * - `connected`: added with an interface address (`10.0.0.1/24` on `wm0` gives 10.0.0.0/24 via `wm0`).
 *   The next hop is the destination itself.
 * - `local`: a host route (/32) for each of our own addresses through `lo0`, so traffic to ourselves
 *   never leaves the host (BSD's `RTF_LOCAL`).
 * - `static`: added by `route add` (a default route is the prefix 0.0.0.0/0). With a gateway, the
 *   next hop handed to the link layer (ARP on Ethernet) is the gateway, not the destination.
 *
 * Tables are small (a host, not a router), so the table is an array sorted by prefix length and a lookup
 * is a linear scan that stops at the first match — no allocation.
 *
 * @module
 */
import type { Ifnet } from '@ifnet/core';
import { type InAddrLike, formatAddr, formatPrefix, parsePrefix, prefixMask, toAddr } from './addr.js';
import { InetError } from './errors.js';

/** What made a route. */
export type RouteKind = 'connected' | 'local' | 'static';

/** One route. Treat as read-only; change the table through {@link RouteTable}. */
export interface RouteEntry {
  /** Network (prefix bits only). */
  readonly dst: number;
  readonly prefixLen: number;
  readonly mask: number;
  /** Gateway (next hop), or 0 when the destination is on the attached network. */
  readonly gateway: number;
  readonly ifp: Ifnet;
  /** Preferred source address for traffic using the route (the interface address). */
  readonly src: number;
  readonly kind: RouteKind;
  /** Lookups that chose this route. */
  use: number;
}

/** One line of `netstat -rn` as plain strings. */
export interface RouteListing {
  destination: string;
  gateway: string;
  interface: string;
  kind: RouteKind;
  source: string;
  use: number;
}

export class RouteTable {
  /** Sorted by prefix length, longest first; insertion order among equals. */
  private readonly routes: RouteEntry[] = [];
  /** Bumped on every change, so a cached route can tell it is stale. */
  generation = 0;

  /**
   * Finds an interface address (`src`) for a route through `ifp`: supplied by the owner (the {@link Inet}
   * instance), which knows the addresses.
   */
  constructor(private readonly sourceFor: (ifp: Ifnet, dst: number) => number) {}

  /** Longest-prefix match for `addr` (host order). `undefined` when nothing matches. Allocation-free. */
  lookup(addr: number): RouteEntry | undefined {
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if ((addr & r.mask) >>> 0 === r.dst) {
        r.use++;
        return r;
      }
    }
    return undefined;
  }

  /**
   * `route add`: `dest` is `a.b.c.d/len`, `a.b.c.d` (a host route) or `default`. With a `gateway`, the
   * gateway must be reachable through a route without a gateway (a connected network), whose interface is
   * used unless `ifp` is given. Without one, `ifp` is required (a network reachable directly on `ifp`).
   * Throws {@link InetError}: `bad-address`, `no-route` (gateway unreachable), `exists` (same prefix and
   * gateway already present).
   */
  add(dest: string, gateway?: InAddrLike, ifp?: Ifnet): RouteEntry {
    const p = parsePrefix(dest);
    const gw = gateway === undefined ? 0 : toAddr(gateway);
    let outIf = ifp;
    if (gw !== 0 && outIf === undefined) {
      const via = this.lookup(gw);
      if (via === undefined || via.gateway !== 0 || via.kind === 'local') {
        throw new InetError('no-route', `gateway ${formatAddr(gw)} is not on a directly attached network`);
      }
      via.use--;
      outIf = via.ifp;
    }
    if (outIf === undefined) throw new InetError('no-route', `route to ${dest} needs a gateway or an interface`);
    return this.insert(p.network, p.len, gw, outIf, this.sourceFor(outIf, gw !== 0 ? gw : p.network), 'static');
  }

  /**
   * `route delete`: removes the route for exactly this prefix (and gateway, when given). Returns the
   * removed entry. Throws {@link InetError} `not-found`.
   */
  delete(dest: string, gateway?: InAddrLike): RouteEntry {
    const p = parsePrefix(dest);
    const gw = gateway === undefined ? undefined : toAddr(gateway);
    const i = this.routes.findIndex(
      (r) => r.dst === p.network && r.prefixLen === p.len && (gw === undefined || r.gateway === gw),
    );
    if (i < 0) throw new InetError('not-found', `no route to ${formatPrefix(p.network, p.len)}`);
    const [r] = this.routes.splice(i, 1);
    this.generation++;
    return r;
  }

  /** Every route, longest prefix first. */
  entries(): readonly RouteEntry[] {
    return this.routes;
  }

  /** `netstat -rn`: every route as strings, longest prefix first. */
  list(): RouteListing[] {
    return this.routes.map((r) => ({
      destination: r.prefixLen === 0 ? 'default' : formatPrefix(r.dst, r.prefixLen),
      gateway: r.gateway === 0 ? (r.kind === 'local' ? 'local' : 'link') : formatAddr(r.gateway),
      interface: r.ifp.name,
      kind: r.kind,
      source: formatAddr(r.src),
      use: r.use,
    }));
  }

  /** @internal Adds a route (used by address configuration and {@link add}). */
  insert(dst: number, prefixLen: number, gateway: number, ifp: Ifnet, src: number, kind: RouteKind): RouteEntry {
    const mask = prefixMask(prefixLen);
    const net = (dst & mask) >>> 0;
    if (this.routes.some((r) => r.dst === net && r.prefixLen === prefixLen && r.gateway === gateway && r.ifp === ifp)) {
      throw new InetError('exists', `route to ${formatPrefix(net, prefixLen)} via ${ifp.name} exists`);
    }
    const entry: RouteEntry = { dst: net, prefixLen, mask, gateway, ifp, src, kind, use: 0 };
    let i = 0;
    while (i < this.routes.length && this.routes[i].prefixLen >= prefixLen) i++;
    this.routes.splice(i, 0, entry);
    this.generation++;
    return entry;
  }

  /** @internal Removes every route matching `pred`; returns how many. */
  removeWhere(pred: (r: RouteEntry) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (pred(this.routes[i])) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    if (n > 0) this.generation++;
    return n;
  }
}
