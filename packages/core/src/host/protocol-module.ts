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
   * `if_detach` notification (`pr_ifdetach` / `dom_ifdetach` in BSD): `host.ifDetach(ifp)` calls it for
   * every attached module, in reverse attach order (upper layers first: inet before ether), after the
   * interface is down and before core tears it down. The module must drop every reference it holds to
   * `ifp`: addresses, routes, caches and their timers, queued packets (freed and counted), sockets bound
   * to it. An exception is contained: the other modules are still told and the interface still goes; the
   * first error is rethrown by `ifDetach` at the end.
   */
  ifDetach?(host: Host, ifp: Ifnet): void;
}
