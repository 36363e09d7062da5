/**
 * `describeDriverConformance`: the one call a driver's own vitest suite makes. It imports `describe` and
 * `it` from vitest explicitly, so it works whatever the suite's `globals` setting.
 *
 * ```ts
 * import { describeDriverConformance } from '@ifnet/testkit';
 * describeDriverConformance({
 *   name: 'vnic',
 *   setup: () => ({ register: registerVnic, createDevice: (mac) => new VnicDevice({ mac }), driverName: 'vnic', deviceClass: 'dma' }),
 * });
 * ```
 *
 * @module
 */
import { describe, it } from 'vitest';
import { CHECKS } from './checks.js';
import { runCheck } from './run.js';
import type { ConformanceOptions } from './subject.js';

export function describeDriverConformance(options: ConformanceOptions & { skip?: readonly string[] }): void {
  describe(`driver conformance: ${options.name}`, () => {
    for (const check of CHECKS) {
      const test = options.skip?.includes(check.id) ? it.skip : it;
      test(`${check.id}: ${check.title}`, async () => {
        const subject = await options.setup();
        try {
          const v = await runCheck(subject, check);
          if (!v.ok) throw new Error(v.message);
        } finally {
          await options.teardown?.();
        }
      });
    }
  });
}
