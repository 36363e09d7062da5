/**
 * The NICs `ifnet host --nic` offers: one row per driver package. A row registers the driver on the
 * platform (autoconfiguration attaches it) and builds the device model with a MAC; nothing else in the
 * command knows which NIC it runs.
 *
 * @module
 */
import type { DeviceModel, Platform, WiredDevice } from '@ifnet/core';
import { E1000Device, registerE1000 } from '@ifnet/e1000';
import { EheaDevice, registerEhea } from '@ifnet/ehea';
import { Ne2000Device, registerNe2000 } from '@ifnet/ne2000';

export interface NicKind {
  /** One line for `--help`. */
  readonly description: string;
  /** Registers the driver with the platform (autoconfiguration matches it to the device). */
  register(platform: Platform): void;
  /** The hardware: a device model with an Ethernet port. */
  create(mac: string): DeviceModel & WiredDevice;
}

export const NICS: Readonly<Record<string, NicKind>> = {
  e1000: {
    description: 'Intel 8254x-like DMA NIC, driver wm',
    register: (p) => void registerE1000(p),
    create: (mac) => new E1000Device({ mac }),
  },
  ne2000: {
    description: 'NE2000-like programmed-I/O NIC (DP8390), driver ne',
    register: (p) => void registerNe2000(p),
    create: (mac) => new Ne2000Device({ mac }),
  },
  ehea: {
    description: 'EHEA-like multi-queue NIC with receive-side scaling, driver ehea',
    register: (p) => void registerEhea(p),
    // Four queue pairs: 16 (the part's maximum) × 256 receive buffers would ask for twice the host's
    // 2048 clusters, and the queues left without buffers would miss every frame RSS sends them.
    create: (mac) => new EheaDevice({ mac, queues: 4 }),
  },
};
