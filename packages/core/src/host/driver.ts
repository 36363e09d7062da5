import type { InjectionToken } from 'tsyringe';
import type { BusSpace } from '../bus/registers.js';
import type { DmaSpace } from '../bus/dma.js';
import type { DeviceIdent, DeviceModel } from '../bus/device.js';
import type { InterruptSource } from '../kern/interrupt-controller.js';
import type { Host } from './host.js';

/**
 * What autoconfiguration hands a driver when it attaches to a device (NetBSD's `aux` / `pci_attach_args`):
 * the device's identity and its bus resources. No reference to the device model itself: a driver reaches
 * the hardware only through these.
 */
export interface AttachArgs {
  readonly host: Host;
  readonly ident: DeviceIdent;
  /** Register windows, indexed like PCI BARs. */
  readonly bars: readonly BusSpace[];
  /** Interrupt sources, one per vector. */
  readonly irqs: readonly InterruptSource[];
  readonly dma: DmaSpace;
  /** Bus location for diagnostics, e.g. `pci0:3`. */
  readonly locator: string;
}

/** An attached driver instance (one per device): the softc's owner. */
export interface DeviceDriver {
  /** Called once after construction: map registers, allocate rings, create interfaces. */
  attach(aa: AttachArgs): void;
  /** Releases the device (interfaces down, interrupts disestablished). */
  detach?(): Promise<void> | void;
}

/**
 * A driver as registered for autoconfiguration (NetBSD's `cfattach` + `match`): a name, a match function
 * that scores a device (0 = no, higher = better, as `*_match` returns), and the class to instantiate per
 * device. The class is resolved from the host's container, so its constructor can `@inject(HOST)`.
 */
export interface DriverDescriptor {
  readonly name: string;
  match(ident: DeviceIdent): number;
  readonly driver: InjectionToken<DeviceDriver>;
}

/** A device plugged into a host's bus, with the driver that claimed it (if any). */
export interface DeviceSlot {
  readonly locator: string;
  readonly model: DeviceModel;
  readonly attachArgs: AttachArgs;
  driverName?: string;
  driver?: DeviceDriver;
}
