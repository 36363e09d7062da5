import { describe, expect, it } from 'vitest';
import { CHECKS, type RuleId, runCheck, runConformance } from '../src/index.js';
import { VnicDriver } from '../../../examples/vnic/src/index.js';
import {
  AllocatesInInterrupt,
  IgnoresBudget,
  IgnoresCoalescing,
  LeaksMbufs,
  NeverUnmasks,
  ThrowsInInterrupt,
  ThrowsInPoll,
  TouchesModel,
  subjectFor,
} from './broken-drivers.js';

const check = (id: string) => {
  const c = CHECKS.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no check ${id}`);
  return c;
};

describe('the conformance kit against deliberately broken drivers', () => {
  const cases: [string, typeof VnicDriver, string, RuleId, RegExp][] = [
    [
      'allocates in its interrupt routine',
      AllocatesInInterrupt,
      'frames',
      'no-alloc-in-interrupt',
      /m_gethdr from pool 'dut.mbuf'/,
    ],
    [
      'never unmasks',
      NeverUnmasks,
      'interrupts',
      'unmask',
      /never unmasked again — intrEnable must undo what intrDisable did/,
    ],
    ['ignores the budget', IgnoresBudget, 'budget', 'budget', /handed up \d+ packets .* with a budget of 64/],
    [
      'leaks mbufs',
      LeaksMbufs,
      'frames',
      'pool-balance',
      /mbufs .* still allocated after the interface was brought down and detached/,
    ],
    [
      'throws in its poll',
      ThrowsInPoll,
      'frames',
      'no-exception',
      /poll threw 1 time\(s\) \(TypeError: Cannot read properties of null/,
    ],
    [
      'throws in its interrupt routine',
      ThrowsInInterrupt,
      'frames',
      'no-exception',
      /interrupt routine threw 1 time\(s\) \(RangeError: ring index 256/,
    ],
    [
      'ignores coalescing',
      IgnoresCoalescing,
      'coalescing',
      'coalescing',
      /\d+ interrupts for 100 frames 100 µs apart with rx-usecs 500: the setting has no effect/,
    ],
    ['touches its device model', TouchesModel, 'frames', 'bus-only', /device model was used outside the bus \(stats\)/],
  ];
  for (const [what, driver, id, rule, message] of cases) {
    it(`a driver that ${what} fails '${id}' on rule '${rule}'`, async () => {
      const v = await runCheck(subjectFor(driver), check(id));
      expect(v.ok, v.message).toBe(false);
      expect(v.rule, v.message).toBe(rule);
      expect(v.message).toMatch(message);
      expect(v.message).toContain(`contract rule '${rule}'`);
    });
  }

  it('the unbroken driver passes the same checks', async () => {
    const verdicts = await runConformance({
      setup: () => subjectFor(VnicDriver),
      only: ['frames', 'interrupts', 'budget', 'coalescing'],
    });
    expect(verdicts.map((v) => v.message ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
