import type { DeviceModel, Platform, WiredDevice } from '@ifnet/core';

/**
 * What a driver package hands the conformance kit: how to register the driver and how to build its
 * hardware. Nothing about the driver's internals — the kit works through the framework only.
 */
export interface DriverSubject {
  /** Registers the driver on a platform, as the package's users do (`registerE1000(platform)`). */
  register(platform: Platform): void;
  /** A fresh device model whose EEPROM holds `mac` (`aa:bb:cc:dd:ee:ff`), with an Ethernet port. */
  createDevice(mac: string): DeviceModel & WiredDevice;
  /** The name the driver registers under; autoconfiguration must choose it for the device. */
  driverName: string;
  /**
   * `'dma'`: the device fills host memory on its own, so its interrupt is masked while the poll runs.
   * `'pio'`: the data sits in a small on-card buffer; the interrupt routine drains it into pre-allocated
   * mbufs and the source stays unmasked.
   */
  deviceClass: 'dma' | 'pio';
  /**
   * Whether the device reports its carrier (a link status bit, a link-change interrupt). Default true.
   * `false` (a DP8390 has neither): the link-flap check then only requires traffic to resume after the
   * cable comes back.
   */
  linkState?: boolean;
}

/** What {@link describeDriverConformance} takes. */
export interface ConformanceOptions {
  /** Suite name, e.g. `wm (e1000)`. */
  name: string;
  /** Called before each check: returns the subject. */
  setup(): DriverSubject | Promise<DriverSubject>;
  /** Called after each check (release anything `setup` made). */
  teardown?(): void | Promise<void>;
}
