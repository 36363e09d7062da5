import type { Nanoseconds } from './time.js';

/**
 * What kernel work costs on the virtual clock. A CPU *charges* these amounts as it works; the virtual
 * clock advances by them, and hardware keeps acting meanwhile — so a slow or overloaded CPU behaves as it
 * would on real hardware (receive livelock included). On the real clock charges are only tallied: work
 * costs what it really costs.
 *
 * Per-layer packet costs are an open table so protocol packages can add their own layers
 * (`costs.layer['ipv4']`); an unknown layer costs `layerDefault`.
 */
export interface CostProfile {
  /** Taking an interrupt: trap, save state, dispatch to the handler. */
  readonly interruptEntry: Nanoseconds;
  /** Returning from an interrupt. */
  readonly interruptExit: Nanoseconds;
  /** Dequeuing and starting one continuation. */
  readonly continuation: Nanoseconds;
  /** The hardclock tick handler. */
  readonly tick: Nanoseconds;
  /** One register access over the bus (a PCI read is expensive on real parts). */
  readonly registerAccess: Nanoseconds;
  /** Copying one byte through a data port (PIO), per byte. */
  readonly pioPerByte: Nanoseconds;
  /** Per-packet cost of each layer: `driverRx`, `driverTx`, `ifInput`, `ether`, `arp`, `ipv4`, `icmp`, `udp`, `socket`, ... */
  readonly layer: Readonly<Record<string, Nanoseconds>>;
  /** Cost of a layer missing from {@link layer}. */
  readonly layerDefault: Nanoseconds;
}

/**
 * Defaults loosely shaped after a ~2 GHz CPU of the e1000 era: an interrupt round trip of ~2 µs, a few
 * hundred ns per layer per packet. They are a model, not a measurement (written by hand with the execution
 * model; `@ifnet/lab`'s README gives their provenance next to this machine's measured costs); experiments
 * state the profile they use. `ifnet lab calibrate` measures a profile of ifnet's own costs.
 */
export const DEFAULT_COST_PROFILE: CostProfile = Object.freeze({
  interruptEntry: 1_500,
  interruptExit: 500,
  continuation: 200,
  tick: 1_000,
  registerAccess: 100,
  pioPerByte: 2,
  layer: Object.freeze({
    driverRx: 300,
    driverTx: 300,
    ifInput: 100,
    ether: 150,
    arp: 300,
    ipv4: 400,
    icmp: 300,
    udp: 300,
    socket: 500,
    app: 1_000,
  }),
  layerDefault: 300,
});

/** A profile in which everything is free: pure logic tests where only ordering matters. */
export const ZERO_COST_PROFILE: CostProfile = Object.freeze({
  interruptEntry: 0,
  interruptExit: 0,
  continuation: 0,
  tick: 0,
  registerAccess: 0,
  pioPerByte: 0,
  layer: Object.freeze({}),
  layerDefault: 0,
});
