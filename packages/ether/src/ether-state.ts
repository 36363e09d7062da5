import { type Host, HostState, type Ifnet, type Mbuf } from '@ifnet/core';

/**
 * Resolves a protocol next hop to a link address for output (ARP for IPv4, NDP for IPv6).
 *
 * Returns the destination MAC when it is known now. Otherwise it returns null and **takes ownership of
 * `m`**: it holds the packet until resolution (then sends it itself with {@link etherOutputFrame}) or drops
 * it, counted. It must not throw for a bad `dst`: that is a counted drop too.
 */
export type NextHopResolver = (ifp: Ifnet, m: Mbuf, dst: unknown) => Uint8Array | null;

/** Per-host Ethernet state: next-hop resolvers by ethertype. */
export class EtherHostState {
  /** Registered through {@link setNextHopResolver} only (never removed): read-only to everyone else. */
  readonly resolvers: ReadonlyMap<number, NextHopResolver> = new Map<number, NextHopResolver>();
  /**
   * The last answer of {@link resolverFor} (`lastProto` -1: none). Output asks once per packet, nearly always
   * for IPv4; a keyed Map lookup costs about 10 ns there, a compare nothing. Resolvers are only ever
   * added, so a cached answer never goes stale.
   */
  private lastProto = -1;
  private lastResolver: NextHopResolver | undefined = undefined;

  /**
   * The resolver registered for ethertype `proto`, or undefined. The cached answer alone is under V8's
   * 27-byte limit for functions it inlines whatever the caller's budget (output's is spent by then).
   */
  resolverFor(proto: number): NextHopResolver | undefined {
    return proto === this.lastProto ? this.lastResolver : this.lookup(proto);
  }

  private lookup(proto: number): NextHopResolver | undefined {
    const r = this.resolvers.get(proto);
    if (r !== undefined) {
      this.lastProto = proto;
      this.lastResolver = r;
    }
    return r;
  }

  /** @internal See {@link setNextHopResolver}. */
  add(proto: number, resolver: NextHopResolver): void {
    (this.resolvers as Map<number, NextHopResolver>).set(proto, resolver);
  }
}

/** Each host's {@link EtherHostState}, in its DI container (created on first use). */
export const ETHER_STATE: HostState<EtherHostState> = new HostState<EtherHostState>(
  '@ifnet/ether:ether',
  'Ethernet is not attached (registerEther(platform) before createHost)',
);

/**
 * The Ethernet state of a host, created on first use. The output path does not look it up per packet:
 * each Ethernet interface's `afdata` slot keeps a reference (see `etherIfData`).
 */
export function etherState(host: Host): EtherHostState {
  return ETHER_STATE.find(host) ?? ETHER_STATE.register(host, new EtherHostState());
}

/**
 * Registers the next-hop resolver for payloads of ethertype `proto` on a host (ARP does this for
 * `ETHERTYPE_IP` when it attaches). A second registration for the same ethertype is an error.
 */
export function setNextHopResolver(host: Host, proto: number, resolver: NextHopResolver): void {
  const s = etherState(host);
  if (s.resolvers.has(proto))
    throw new Error(`${host.name}: next-hop resolver for 0x${proto.toString(16)} already set`);
  s.add(proto, resolver);
}
