import type { CostProfile } from './cost-profile.js';

/**
 * Numeric cost layers: what a per-packet {@link Cpu.chargeLayerId} looks up, instead of a string key.
 *
 * A {@link CostProfile} names its per-layer costs (`layer: { ipv4: 400, ... }`), which is what users read
 * and write. Looking a name up per packet costs a hash probe (35–50 ns on the Ethernet and UDP paths), so
 * code on the data path charges by *id*: an index into a `Float64Array` of the profile's costs that the
 * CPU rebuilds whenever its profile changes.
 *
 * - The layers of core's vocabulary (those {@link DEFAULT_COST_PROFILE} prices) have fixed ids, the
 *   `LAYER_*` constants below: the same on every CPU, usable without any set-up.
 * - Any other layer (a crypto engine, a new protocol) gets its id from {@link CostLayers.id} on the CPU it
 *   runs on, once, when its module attaches to the host; it costs `profile.layer[name]`, or
 *   `profile.layerDefault` when the profile does not price it.
 *
 * @module
 */

/** `driverRx`: a driver's per-packet receive work (descriptor harvest, refill). */
export const LAYER_DRIVER_RX = 0;
/** `driverTx`: a driver's per-packet transmit work. */
export const LAYER_DRIVER_TX = 1;
/** `ifInput`: `if_input` (counters, BPF-style taps, dispatch). */
export const LAYER_IF_INPUT = 2;
/** `ether`: Ethernet input or output. */
export const LAYER_ETHER = 3;
/** `arp`: ARP input or output. */
export const LAYER_ARP = 4;
/** `ipv4`: IPv4 input or output. */
export const LAYER_IPV4 = 5;
/** `icmp`: ICMP input. */
export const LAYER_ICMP = 6;
/** `udp`: UDP input or output. */
export const LAYER_UDP = 7;
/** `socket`: socket buffer append / receive. */
export const LAYER_SOCKET = 8;
/** `app`: an application's own work per message. */
export const LAYER_APP = 9;

/** Names of the fixed layers, by id (the keys of {@link CostProfile.layer} in the default profile). */
export const WELL_KNOWN_LAYERS: readonly string[] = Object.freeze([
  'driverRx',
  'driverTx',
  'ifInput',
  'ether',
  'arp',
  'ipv4',
  'icmp',
  'udp',
  'socket',
  'app',
]);

/** Most layers one CPU may know (fixed ones included): ids are resolved at attach, so this is generous. */
export const MAX_COST_LAYERS = 256;

/** One CPU's layer table: names ↔ ids, and the current profile's cost of each id. */
export class CostLayers {
  private readonly names: string[] = [...WELL_KNOWN_LAYERS];
  private readonly byName = new Map<string, number>(WELL_KNOWN_LAYERS.map((n, i) => [n, i]));
  private profile: CostProfile;
  /**
   * Cost (ns) of each layer id under the current profile, {@link MAX_COST_LAYERS} slots: ids not given
   * out yet cost `layerDefault`, as an unpriced layer does. Allocated once and never replaced, so a CPU
   * keeps a direct reference for its per-packet charge (one load less than through this object). A CPU
   * passes a view of its own `times` array here, so a charge reads the cost and adds it up in one array.
   */
  readonly cost: Float64Array;

  constructor(profile: CostProfile, cost: Float64Array = new Float64Array(MAX_COST_LAYERS)) {
    if (cost.length !== MAX_COST_LAYERS)
      throw new RangeError(`cost layers: ${cost.length} cost slots, not ${MAX_COST_LAYERS}`);
    this.cost = cost;
    this.profile = profile;
    this.reprice(profile);
  }

  /** The id of layer `name`, adding it if new. Call when a module attaches, not per packet. */
  id(name: string): number {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    if (this.names.length >= MAX_COST_LAYERS) {
      throw new RangeError(`cost layers: more than ${MAX_COST_LAYERS} layers (adding '${name}')`);
    }
    const id = this.names.length;
    this.names.push(name);
    this.byName.set(name, id);
    this.cost[id] = this.price(name);
    return id;
  }

  /** The id of layer `name`, or -1 when it has none yet (never adds). */
  lookup(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /** The name of layer `id` (for reports), or undefined. */
  name(id: number): string | undefined {
    return this.names[id];
  }

  /** Number of layers known. */
  get size(): number {
    return this.names.length;
  }

  /** Recomputes every layer's cost from `profile` (the CPU calls it when its profile is replaced). */
  reprice(profile: CostProfile): void {
    this.profile = profile;
    for (let i = 0; i < this.names.length; i++) this.cost[i] = this.price(this.names[i]);
    this.cost.fill(profile.layerDefault, this.names.length);
  }

  /** What the current profile charges for layer `name` (`layerDefault` when it does not price it). */
  price(name: string): number {
    const layer = this.profile.layer;
    // Own keys only: a layer named 'toString' must not be priced by Object.prototype.
    return Object.hasOwn(layer, name) ? layer[name] : this.profile.layerDefault;
  }
}
