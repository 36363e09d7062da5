import { describe, expect, it } from 'vitest';
import { type KernelTracer, msec, rateThreshold, usec } from '../../src/index.js';
import { rig, toyNic, traffic } from '../helpers/setup.js';

/** Records every call as one line, with the CPU's time in µs. */
function recorder(lines: string[]): KernelTracer {
  return {
    interruptBegin: (cpu, src) => lines.push(`${cpu.now() / 1000} intr+ ${src.handlerName}`),
    interruptEnd: (cpu, src) => lines.push(`${cpu.now() / 1000} intr- ${src.handlerName}`),
    continuationBegin: (cpu, kc) => lines.push(`${cpu.now() / 1000} kc+ ${kc.name}`),
    continuationEnd: (cpu, kc) => lines.push(`${cpu.now() / 1000} kc- ${kc.name}`),
    pollBegin: (ctx, budget) => lines.push(`poll+ ${ctx.name} ${budget}`),
    pollEnd: (ctx, work) => lines.push(`poll- ${ctx.name} ${work}`),
    pollEvent: (ctx, e) => lines.push(`${e} ${ctx.name}`),
  };
}

describe('kernel tracer hook (cpu.tracer)', () => {
  it('sees interrupt → defer → continuation → poll → unmask, nested as the work runs', () => {
    const { sim, host } = rig({ hz: 100 });
    const nic = toyNic(host);
    const lines: string[] = [];
    host.cpu.tracer = recorder(lines);
    traffic(sim, nic.dev, msec(1), usec(100), 1);
    sim.runUntil(msec(2));
    const name = nic.ctx.name;
    const kinds = lines.map((l) => l.replace(/^[\d.]+ /, ''));
    expect(kinds.slice(0, 8)).toEqual([
      expect.stringMatching(/^intr\+ /),
      `defer ${name}`,
      expect.stringMatching(/^intr- /),
      `kc+ ${name}`,
      `poll+ ${name} ${nic.ctx.weight}`,
      `poll- ${name} 1`,
      `unmask ${name}`,
      `kc- ${name}`,
    ]);
    // Times never go backwards.
    const times = lines.filter((l) => /^\d/.test(l)).map((l) => Number(l.split(' ')[0]));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });

  it('reports tick deferrals, and nothing once it is removed', () => {
    const { sim, host } = rig({ policy: rateThreshold({ maxInterruptRate: 1000 }), hz: 100 });
    const nic = toyNic(host, { fifoSize: 2048 });
    const lines: string[] = [];
    host.cpu.tracer = recorder(lines);
    traffic(sim, nic.dev, msec(1), usec(100), 100);
    sim.runUntil(msec(15));
    expect(lines).toContain(`tick-deferral ${nic.ctx.name}`);
    expect(lines.filter((l) => l.includes('hardclock')).length).toBeGreaterThan(0);
    host.cpu.tracer = null;
    const n = lines.length;
    sim.runUntil(msec(40));
    expect(lines).toHaveLength(n);
    expect(nic.delivered).toHaveLength(100);
  });
});
