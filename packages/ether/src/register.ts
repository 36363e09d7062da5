import type { Platform } from '@ifnet/core';
import { arpModule, createArpModule } from './arp/arp-module.js';
import type { ArpConfig } from './arp/arp-config.js';
import { etherLinkLayer } from './ether-link-layer.js';

export interface EtherOptions {
  /** ARP settings for every host of the platform (default `DEFAULT_ARP_CONFIG`). */
  arp?: Partial<ArpConfig>;
}

/**
 * Registers the Ethernet link layer and ARP (`arpModule`, module name `arp`) on a platform: every host
 * built from it afterwards frames `IFT_ETHER` interfaces and resolves IPv4 next hops. Call it once per
 * platform.
 */
export function registerEther(platform: Platform, options: EtherOptions = {}): Platform {
  platform.registerLinkLayer(etherLinkLayer);
  platform.registerProtocol(options.arp === undefined ? arpModule : createArpModule(options.arp));
  return platform;
}
