/**
 * The DI decorators, re-exported from the tsyringe instance core uses. Drivers and protocol packages import
 * them from `@ifnet/core` rather than from `tsyringe`:
 * - `reflect-metadata` is then always loaded first (core's entry point imports it before tsyringe, which
 *   refuses to load without it);
 * - a package cannot end up decorating with a second copy of tsyringe whose registry the host's container
 *   never sees.
 * Always name the token (`@inject(HOST)`): decorator metadata is not emitted by esbuild (vitest, tsx).
 */
export { inject, injectAll, injectable } from 'tsyringe';
export type { DependencyContainer, InjectionToken } from 'tsyringe';
