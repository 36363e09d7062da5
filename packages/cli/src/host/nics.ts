/**
 * The NICs `ifnet host --nic` offers: one row per driver package. A row registers the driver on the
 * platform (autoconfiguration attaches it) and builds the device model with a MAC; nothing else in the
 * command knows which NIC it runs.
 *
 * @module
 */
import type { DeviceModel, Platform, WiredDevice } from '@ifnet/core';
import { E1000Device, registerE1000 } from '@ifnet/e1000';

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
};
