/**
 * The protocol modules of `@ifnet/inet`, registered on a platform through DI like any third-party
 * protocol (core knows nothing about IPv4):
 *
 * - `inet` creates the host's {@link Inet} (registered under {@link INET} in the host's container),
 *   the `ip-protocol` dispatch table, configures 127.0.0.1/8 on `lo0` and registers IPv4 input for
 *   ethertype 0x0800;
 * - `icmp` (requires `inet`) creates {@link Icmp} and registers it for protocol 1;
 * - `udp` (requires `inet`) creates {@link Udp}, registers it for protocol 17 and its `ctlinput`.
 *
 * Each host's instances live in its DI container under the {@link HostState} keys `INET_STATE`,
 * `ICMP_STATE`, `UDP_STATE` (reach them with `inetFor`, `icmpFor`, `udpFor`). When an interface is
 * detached, `inet`'s `ifDetach` removes its addresses, groups, routes and fragments; UDP hears of the
 * removed addresses through {@link Inet.onAddressRemoved}.
 *
 * ```ts
 * const platform = createPlatform();
 * registerEther(platform); // for Ethernet interfaces (and ARP)
 * registerInet(platform);
 * const host = platform.createHost({ name: 'a', runner: sim });
 * ```
 *
 * @module
 */
import type { Host, Ifnet, Platform, ProtocolModule } from '@ifnet/core';
import { ICMP_STATE, Icmp, type IcmpOptions } from './icmp.js';
import { ETHERTYPE_IP, INET_STATE, Inet, type InetOptions, inetFor } from './inet.js';
import { IPPROTO_ICMP, IPPROTO_UDP } from './ip-header.js';
import { UDP_STATE, Udp } from './udp.js';

/** Options of {@link registerInet} (applied to every host built from the platform). */
export interface InetModuleOptions extends InetOptions {
  icmp?: IcmpOptions;
}

/** The `inet` protocol module with the given options. */
export function createInetModule(options: InetOptions = {}): ProtocolModule {
  return {
    name: 'inet',
    attach(host: Host) {
      const inet = INET_STATE.register(host, new Inet(host, options));
      host.ethertypes.register(ETHERTYPE_IP, 'ip', inet.input);
    },
    ifDetach(host: Host, ifp: Ifnet) {
      inetFor(host).ifDetach(ifp);
    },
  };
}

/** The `icmp` protocol module with the given options. */
export function createIcmpModule(options: IcmpOptions = {}): ProtocolModule {
  return {
    name: 'icmp',
    requires: ['inet'],
    attach(host: Host) {
      const inet = inetFor(host);
      const icmp = ICMP_STATE.register(host, new Icmp(inet, options));
      inet.icmp = icmp;
      inet.protocols.register(IPPROTO_ICMP, 'icmp', icmp.input);
    },
  };
}

/** The `udp` protocol module. */
export function createUdpModule(): ProtocolModule {
  return {
    name: 'udp',
    requires: ['inet'],
    attach(host: Host) {
      const inet = inetFor(host);
      const udp = UDP_STATE.register(host, new Udp(inet));
      inet.protocols.register(IPPROTO_UDP, 'udp', udp.input);
      inet.setCtlInput(IPPROTO_UDP, udp.ctlInput);
    },
  };
}

/** IPv4 with default options. */
export const inetModule: ProtocolModule = createInetModule();
/** ICMP with default options. */
export const icmpModule: ProtocolModule = createIcmpModule();
/** UDP. */
export const udpModule: ProtocolModule = createUdpModule();

/**
 * Registers IPv4, ICMP and UDP on a platform. For Ethernet interfaces, register `@ifnet/ether` too
 * (`registerEther(platform)`).
 */
export function registerInet(platform: Platform, options: InetModuleOptions = {}): Platform {
  const { icmp, ...inet } = options;
  const noOptions = icmp === undefined && Object.keys(inet).length === 0;
  platform.registerProtocol(noOptions ? inetModule : createInetModule(inet));
  platform.registerProtocol(noOptions ? icmpModule : createIcmpModule(icmp));
  platform.registerProtocol(udpModule);
  return platform;
}
