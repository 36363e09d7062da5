import type { Host, ProtocolModule } from '@ifnet/core';
import { ETHERTYPE_ARP, ETHERTYPE_IP } from '../ether-header.js';
import { setNextHopResolver } from '../ether-state.js';
import { Arp } from './arp.js';
import type { ArpConfig } from './arp-config.js';

const arps = new WeakMap<Host, Arp>();

/**
 * The ARP state of a host. Throws if ARP is not attached there (register it with `registerEther(platform)`
 * or `platform.registerProtocol(arpModule)` before creating the host).
 */
export function arpFor(host: Host): Arp {
  const a = arps.get(host);
  if (a === undefined) {
    throw new Error(`${host.name}: ARP is not attached (registerEther(platform) registers it before hosts are built)`);
  }
  return a;
}

/** The ARP state of a host, or undefined when ARP is not attached there. */
export function findArp(host: Host): Arp | undefined {
  return arps.get(host);
}

/**
 * An ARP protocol module with its own settings. At attach it creates the host's {@link Arp}, registers
 * ARP input for `ETHERTYPE_ARP` in `host.ethertypes`, registers the next-hop resolver for `ETHERTYPE_IP`
 * and listens for interfaces coming up (to announce their addresses).
 */
export function createArpModule(config: Partial<ArpConfig> = {}): ProtocolModule {
  return {
    name: 'arp',
    attach(host: Host): void {
      if (arps.has(host)) throw new Error(`${host.name}: ARP attached twice`);
      const arp = new Arp(host, config);
      arps.set(host, arp);
      host.ethertypes.register(ETHERTYPE_ARP, 'arp', (m, off, ifp) => arp.input(m, off, ifp));
      setNextHopResolver(host, ETHERTYPE_IP, (ifp, m, dst) => arp.resolve(ifp, m, dst));
      host.onIfStateChange((ifp) => arp.ifStateChanged(ifp));
    },
  };
}

/** ARP with the default settings (`DEFAULT_ARP_CONFIG`): the module `registerEther` registers. */
export const arpModule: ProtocolModule = createArpModule();
