import type { Ifnet } from '../net/ifnet.js';
import type { Host } from './host.js';

/**
 * A protocol package's entry point, registered on the platform under the `PROTOCOL` token. At boot every
 * host calls {@link attach}, where the module registers its `pr_input` routines in the host's dispatch
 * tables and creates its per-host state — exactly as a third party's protocol would, never by editing core.
 */
export interface ProtocolModule {
  readonly name: string;
  /** Names of modules that must be attached first (e.g. `inet` needs `ether`). */
  readonly requires?: readonly string[];
  attach(host: Host): void;
  /**
   * `if_detach`'s protocol step (BSD's `pr_domain->dom_ifdetach`): `ifp` is leaving `host` (already down,
   * already out of `host.interfaces`). Drop every reference to it: addresses, routes, caches, timers,
   * queued packets. Called by `host.ifDetach` for each attached module, in attach order.
   */
  ifDetach?(host: Host, ifp: Ifnet): void;
}
