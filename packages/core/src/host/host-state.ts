import type { Ifnet } from '../net/ifnet.js';
import type { Host } from './host.js';

/**
 * The one home of a protocol's per-host state: a DI token in the host's own container (each host is a
 * child container, so two hosts never share it) and a typed accessor, instead of module-level WeakMaps
 * and casts. A protocol module registers its state at attach; everything else reaches it through the key:
 *
 * ```ts
 * export const ARP = new HostState<Arp>('@ifnet/ether:arp', 'ARP is not attached (registerEther(platform) first)');
 * // attach(host) { ARP.register(host, new Arp(host)); }
 * arpFor = (host: Host) => ARP.of(host);
 * ```
 *
 * Lookups go through the container (a map lookup): fine for control paths; data paths keep the state
 * they need in a field (the `pr_input` closure, the softc).
 */
export class HostState<T> {
  /** The DI token (`Symbol.for(name)`, so duplicate installs of a package agree on it). */
  readonly token: symbol;

  /**
   * @param name a unique name, `@scope/package:what`.
   * @param missing the error {@link of} throws when the state is missing, after the host name: what is
   *   missing and how to fix it (`ARP is not attached (registerEther(platform) before createHost)`).
   */
  constructor(
    readonly name: string,
    private readonly missing: string,
  ) {
    this.token = Symbol.for(name);
  }

  /** Registers `value` as `host`'s state. Throws if the host already has one (attached twice). */
  register(host: Host, value: T): T {
    if (host.container.isRegistered(this.token, false)) throw new Error(`${host.name}: ${this.name} registered twice`);
    host.container.register(this.token, { useValue: value });
    return value;
  }

  /** The host's state, or undefined when the protocol is not attached there. */
  find(host: Host): T | undefined {
    return host.container.isRegistered(this.token, false) ? host.container.resolve<T>(this.token) : undefined;
  }

  /** The host's state; throws an Error naming the fix when the protocol is not attached there. */
  of(host: Host): T {
    const v = this.find(host);
    if (v === undefined) throw new Error(`${host.name}: ${this.missing}`);
    return v;
  }
}

/** Slot numbers handed to {@link IfnetState}s, in creation order (a handful per process: one per protocol). */
let nextIfnetSlot = 0;

/**
 * A typed slot in `ifp.afdata` (`if_afdata[AF_*]`): a protocol's per-interface state, created on first use
 * by `create`, without casts at the call sites. Each state also has a slot number, so reading it on a data
 * path is one indexed load (`ifp.afslots[slot]`) instead of a property lookup by a string key that varies
 * from protocol to protocol; `ifp.afdata[key]` shows the same objects by name for inspection.
 */
export class IfnetState<T> {
  /** Index in `ifp.afslots`. */
  private readonly slot: number;

  constructor(
    /** The `afdata` key (`inet`, `ether`, ...). */
    readonly key: string,
    private readonly create: (ifp: Ifnet) => T,
  ) {
    this.slot = nextIfnetSlot++;
  }

  /** The interface's state, created on first use. */
  of(ifp: Ifnet): T {
    // `??` (a state is an object, never null): 22 bytes of bytecode, under V8's 27-byte limit for
    // functions it inlines whatever its budget, so a data path's lookup is never a call.
    return (ifp.afslots[this.slot] as T | undefined) ?? this.init(ifp);
  }

  private init(ifp: Ifnet): T {
    const v = this.create(ifp);
    ifp.afslots[this.slot] = v;
    ifp.afdata[this.key] = v;
    return v;
  }

  /** The interface's state if it was created. */
  find(ifp: Ifnet): T | undefined {
    return ifp.afslots[this.slot] as T | undefined;
  }

  /** Forgets the interface's state (detach). */
  clear(ifp: Ifnet): void {
    ifp.afslots[this.slot] = undefined;
    delete ifp.afdata[this.key];
  }
}
