import type { InjectionToken } from 'tsyringe';
import type { Clock } from '../kern/clock.js';
import type { CostProfile } from '../kern/cost-profile.js';
import type { Cpu } from '../kern/cpu.js';
import type { CalloutTable } from '../kern/callout.js';
import type { DmaSpace } from '../bus/dma.js';
import type { MbufPool } from '../mbuf/pool.js';
import type { Host } from '../host/host.js';
import type { DriverDescriptor } from '../host/driver.js';
import type { ProtocolModule } from '../host/protocol-module.js';
import type { LinkLayer } from '../net/link-layer.js';

/**
 * Injection tokens of the kernel's services. Every injection in ifnet names its token explicitly
 * (`@inject(HOST)`, `@injectAll(DRIVER)`): interfaces have no runtime type, and the esbuild transform used
 * by vitest and tsx emits no decorator metadata, so implicit constructor injection would break there.
 *
 * Tokens are `Symbol.for(...)` so that two copies of `@ifnet/core` in one install still agree on them
 * (the js-libp2p lesson: recognise across duplicate installs by symbol, not by `instanceof`).
 */

/** The host (one kernel instance) that owns the container. Per-host. */
export const HOST: InjectionToken<Host> = Symbol.for('@ifnet/core:HOST');
/** The host's CPU. Per-host. */
export const CPU: InjectionToken<Cpu> = Symbol.for('@ifnet/core:CPU');
/** The clock the host runs on. Per-host. */
export const CLOCK: InjectionToken<Clock> = Symbol.for('@ifnet/core:CLOCK');
/** The host's callout table. Per-host. */
export const CALLOUTS: InjectionToken<CalloutTable> = Symbol.for('@ifnet/core:CALLOUTS');
/** The host's DMA address space. Per-host. */
export const DMA: InjectionToken<DmaSpace> = Symbol.for('@ifnet/core:DMA');
/** The host's mbuf pool. Per-host. */
export const MBUF_POOL: InjectionToken<MbufPool> = Symbol.for('@ifnet/core:MBUF_POOL');
/** The host's cost profile. Per-host. */
export const COST_PROFILE: InjectionToken<CostProfile> = Symbol.for('@ifnet/core:COST_PROFILE');

/** Multi-token: device drivers available for autoconfiguration. Registered on the platform. */
export const DRIVER: InjectionToken<DriverDescriptor> = Symbol.for('@ifnet/core:DRIVER');
/** Multi-token: protocol modules attached to every host at boot. Registered on the platform. */
export const PROTOCOL: InjectionToken<ProtocolModule> = Symbol.for('@ifnet/core:PROTOCOL');
/** Multi-token: link layers by interface type. Registered on the platform. */
export const LINK_LAYER: InjectionToken<LinkLayer> = Symbol.for('@ifnet/core:LINK_LAYER');
