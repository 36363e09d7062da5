import type { Clock } from '../kern/clock.js';
import type { DmaAccess } from './dma.js';
import type { InterruptLine } from './interrupt-line.js';
import type { RegisterNames } from './register-trace.js';
import type { DeviceRegisters } from './registers.js';

/** PCI-style identity that autoconfiguration matches drivers against. */
export interface DeviceIdent {
  readonly vendor: number;
  readonly device: number;
  /** Free-form class, e.g. `network`. */
  readonly deviceClass: string;
}

/** What the host's bus gives a device model when it is plugged in: time, bus-master memory, interrupt lines. */
export interface DeviceBusContext {
  readonly clock: Clock;
  readonly dma: DmaAccess;
  /** One line per interrupt vector the device asked for ({@link DeviceModel.interruptVectors}). */
  readonly irqs: readonly InterruptLine[];
}

/**
 * A device model is *hardware*. It is plugged into a host's bus ({@link DeviceModel.connect}), exposes
 * register windows (BARs), drives interrupt lines and reads/writes host memory by DMA. Drivers reach it
 * only through {@link BusSpace}, {@link DmaSpace} and interrupt handlers — never by calling its methods.
 */
export interface DeviceModel {
  /** Model name for diagnostics, e.g. `e1000 (82540EM)`. */
  readonly model: string;
  readonly ident: DeviceIdent;
  /** Register windows, indexed like PCI BARs. */
  readonly bars: readonly DeviceRegisters[];
  /**
   * Register names per BAR (same index as {@link bars}), for register-access traces
   * (`host.traceRegisters`). Optional; without it traces show offsets.
   */
  readonly registerNames?: readonly (RegisterNames | undefined)[];
  /** How many interrupt vectors the device uses (1 for INTx; N for per-queue MSI-X). */
  readonly interruptVectors: number;
  /** Called once by the host's bus when the device is plugged in. */
  connect(ctx: DeviceBusContext): void;
}
