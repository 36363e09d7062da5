import { type Host, HostState, type Ifnet, type ProtocolModule } from '@ifnet/core';
import { ETHERTYPE_ARP, ETHERTYPE_IP } from '../ether-header.js';
import { setNextHopResolver } from '../ether-state.js';
import { Arp } from './arp.js';
import type { ArpConfig } from './arp-config.js';

/** Each host's {@link Arp}, in its DI container. */
export const ARP_STATE: HostState<Arp> = new HostState<Arp>(
  '@ifnet/ether:arp',
  'ARP is not attached (registerEther(platform) registers it before hosts are built)',
);

/**
 * The ARP state of a host. Throws if ARP is not attached there (register it with `registerEther(platform)`
 * or `platform.registerProtocol(arpModule)` before creating the host).
 */
export function arpFor(host: Host): Arp {
  return ARP_STATE.of(host);
}

/** The ARP state of a host, or undefined when ARP is not attached there. */
export function findArp(host: Host): Arp | undefined {
  return ARP_STATE.find(host);
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
      const arp = ARP_STATE.register(host, new Arp(host, config));
      host.ethertypes.register(ETHERTYPE_ARP, 'arp', (m, off, ifp) => arp.input(m, off, ifp));
      setNextHopResolver(host, ETHERTYPE_IP, (ifp, m, dst) => arp.resolve(ifp, m, dst));
      host.onIfStateChange((ifp) => arp.ifStateChanged(ifp));
    },
    ifDetach(host: Host, ifp: Ifnet): void {
      arpFor(host).ifDetach(ifp);
    },
  };
}

/** ARP with the default settings (`DEFAULT_ARP_CONFIG`): the module `registerEther` registers. */
export const arpModule: ProtocolModule = createArpModule();
