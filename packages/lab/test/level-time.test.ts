import { IPL_NET, IPL_NONE, IPL_SOFTNET } from '@ifnet/core';
import type { Continuation, Cpu, InterruptSource } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { LevelTimeTracer, teeTracer } from '../src/index.js';

const cpu = {} as Cpu;
const kc = (ipl: number) => ({ ipl }) as Continuation<unknown>;
const line = { ipl: IPL_NET } as InterruptSource;

describe('LevelTimeTracer (real-clock CPU shares)', () => {
  it('adds time to the running level, exclusive of nested units', () => {
    let t = 0;
    const lt = new LevelTimeTracer(() => t);
    lt.continuationBegin(cpu, kc(IPL_SOFTNET)); // t = 0
    t = 3;
    lt.interruptBegin(cpu, line); // softnet 3
    t = 5;
    lt.interruptEnd(cpu, line); // interrupt 2
    t = 9;
    lt.continuationEnd(cpu, kc(IPL_SOFTNET)); // softnet 3 + 4
    t = 10;
    lt.continuationBegin(cpu, kc(IPL_NONE));
    t = 11;
    lt.continuationEnd(cpu, kc(IPL_NONE));
    expect(lt.snapshot()).toEqual({ process: 1, softclock: 0, softnet: 7, interrupt: 2 });
  });

  it('ignores the end of a unit that began before it was installed; tee forwards to each', () => {
    let t = 0;
    const a = new LevelTimeTracer(() => t);
    const b = new LevelTimeTracer(() => t);
    const both = teeTracer(a, b);
    both.continuationEnd(cpu, kc(IPL_SOFTNET));
    both.interruptBegin(cpu, line);
    t = 4;
    both.interruptEnd(cpu, line);
    expect(a.snapshot().interrupt).toBe(4);
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});
