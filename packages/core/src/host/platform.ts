import { type DependencyContainer, container as globalContainer } from 'tsyringe';
import { DRIVER, LINK_LAYER, PROTOCOL } from '../di/tokens.js';
import type { LinkLayer } from '../net/link-layer.js';
import type { DriverDescriptor } from './driver.js';
import { Host, type HostOptions } from './host.js';
import type { ProtocolModule } from './protocol-module.js';

/**
 * The platform: what is "compiled into the kernel" — drivers, protocol modules, link layers — shared by
 * every host built from it. It is a child of tsyringe's global container, never the global container
 * itself, so nothing registers as an import side effect (no `@registry`/`@singleton` anywhere in ifnet)
 * and two platforms in one process are independent.
 *
 * Packages expose a `register*(platform)` function or a descriptor; apps compose:
 *
 * ```ts
 * const platform = createPlatform();
 * platform.registerLinkLayer(etherLinkLayer);
 * platform.registerProtocol(inetModule);
 * platform.registerDriver(e1000Driver);
 * const host = platform.createHost({ name: 'a', runner: sim });
 * host.attachDevice(new E1000Device({ mac }));
 * host.autoconf();
 * ```
 */
export class Platform {
  readonly container: DependencyContainer;

  constructor(parent: DependencyContainer = globalContainer) {
    this.container = parent.createChildContainer();
  }

  /** Makes a driver available to autoconfiguration on every host. */
  registerDriver(d: DriverDescriptor): this {
    this.container.register(DRIVER, { useValue: d });
    return this;
  }

  /** Attaches a protocol module to every host built afterwards. */
  registerProtocol(p: ProtocolModule): this {
    this.container.register(PROTOCOL, { useValue: p });
    return this;
  }

  /** Registers a link layer (framing for one interface type) for every host built afterwards. */
  registerLinkLayer(l: LinkLayer): this {
    this.container.register(LINK_LAYER, { useValue: l });
    return this;
  }

  /** Builds a host in its own child container. */
  createHost(options: HostOptions): Host {
    return new Host(this.container, options);
  }
}

/** A fresh platform, isolated from the global container and from other platforms. */
export function createPlatform(): Platform {
  return new Platform();
}
