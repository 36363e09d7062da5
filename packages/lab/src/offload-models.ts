/**
 * The two models of `ifnet lab offload` (seed 002) and their cost profile.
 *
 * - `interrupt-thread`: interrupt handling in kernel threads, the seed's first scenario — the NIC's
 *   interrupt thread runs the driver and `ether_input`, which queues each IPv4 packet on `ipintrq` (core's
 *   `Netisr`, 50 packets) and wakes the softint thread; that runs IP → ESP → `crypto_dispatch` and blocks;
 *   the card's completion interrupt wakes the crypto interrupt thread, whose `crypto_done` wakes the softint
 *   thread again for the cleartext packet (→ UDP → socket). Every hand-off between threads is a context
 *   switch charged from the cost profile ({@link InterruptThreads}).
 * - `continuation`: seed 000's world — interrupts are taken in the running context and defer to
 *   continuations; IP input is called straight from the poll; the card's completion interrupt schedules
 *   the ESP continuation (`crypto_done`). No thread, no switch.
 *
 * Both drive the same devices (the e1000 and the bcm5823-like card), the same stack (`@ifnet/inet`,
 * `@ifnet/ipsec`, `@ifnet/crypto`) and the same NIC mitigation policy (`alwaysUnmask`: interrupt → poll →
 * re-enable, so at low load each packet raises its own interrupt, as in the seed's scenario).
 *
 * @module
 */
import { type CostProfile, DEFAULT_COST_PROFILE } from '@ifnet/core';
import { CONTEXT_SWITCH_LAYER } from './interrupt-threads.js';

export const OFFLOAD_MODEL_NAMES = ['interrupt-thread', 'continuation'] as const;
export type OffloadModelName = (typeof OFFLOAD_MODEL_NAMES)[number];

export const OFFLOAD_MODEL_DESCRIPTIONS: Record<OffloadModelName, string> = {
  'interrupt-thread':
    'NIC interrupt thread → ipintrq → softint thread → crypto card → crypto interrupt thread → softint thread; every hand-off a context switch',
  continuation:
    'interrupts taken in the running context; the card’s completion interrupt schedules the ESP continuation (no thread, no switch)',
};

/** The model called `name`; throws a RangeError naming the known models otherwise. */
export function offloadModel(name: string): OffloadModelName {
  if ((OFFLOAD_MODEL_NAMES as readonly string[]).includes(name)) return name as OffloadModelName;
  throw new RangeError(`unknown offload model '${name}' (known: ${OFFLOAD_MODEL_NAMES.join(', ')})`);
}

/**
 * Default price of one context switch (ns): a model value, not a measurement. lmbench's `lat_ctx` (two
 * processes, no working set) reported 1–5 µs on x86 machines of the seed's time (2007), and a switch
 * between kernel threads skips the address-space change; 2 µs sits in that range and next to the default
 * profile's 2 µs interrupt round trip. `ifnet lab offload --switch-ns N` varies it.
 */
export const DEFAULT_CONTEXT_SWITCH_NS = 2_000;

/** Core's default profile plus the `contextSwitch` layer (what the interrupt-thread model charges). */
export function offloadCostProfile(
  switchNs = DEFAULT_CONTEXT_SWITCH_NS,
  base: CostProfile = DEFAULT_COST_PROFILE,
): CostProfile {
  if (!(switchNs >= 0 && Number.isFinite(switchNs))) throw new RangeError(`context switch cost ${switchNs} ns`);
  return Object.freeze({ ...base, layer: Object.freeze({ ...base.layer, [CONTEXT_SWITCH_LAYER]: switchNs }) });
}
