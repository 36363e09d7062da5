import type { Platform } from '@ifnet/core';
import { etherLinkLayer } from './ether-link-layer.js';

/** Registers the Ethernet link layer on a platform: every host built from it frames `IFT_ETHER` interfaces. */
export function registerEther(platform: Platform): Platform {
  platform.registerLinkLayer(etherLinkLayer);
  return platform;
}
