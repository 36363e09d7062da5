import type { DependencyContainer, InjectionToken } from 'tsyringe';

/**
 * `resolveAll` that returns `[]` when nothing is registered (tsyringe throws), looking up the parent
 * chain. Multi-tokens (`DRIVER`, `PROTOCOL`, `LINK_LAYER`) are registered on the platform only: a child
 * container that registered one of them itself would hide the parent's registrations (a tsyringe trap),
 * so hosts never do.
 */
export function resolveAllOptional<T>(c: DependencyContainer, token: InjectionToken<T>): T[] {
  return c.isRegistered(token, true) ? c.resolveAll(token) : [];
}
