import { Simulation } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { E1000_GORCH, E1000_ICR, E1000_MTA, E1000_RAH, E1000_RAL, E1000_RDT, E1000_TDT } from '../src/regs.js';
import { E1000_REGISTER_NAMES, e1000RegisterName } from '../src/trace.js';
import { addNic, mac, makePlatform } from './driver-helpers.js';

describe('e1000 register names for traces', () => {
  it('names single registers, array elements and unnamed offsets', () => {
    expect(e1000RegisterName(E1000_ICR)).toBe('ICR');
    expect(e1000RegisterName(E1000_RDT)).toBe('RDT');
    expect(e1000RegisterName(E1000_TDT)).toBe('TDT');
    expect(e1000RegisterName(E1000_GORCH)).toBe('GORCH');
    expect(e1000RegisterName(E1000_MTA + 4 * 127)).toBe('MTA[127]');
    expect(e1000RegisterName(E1000_RAL(3))).toBe('RAL[3]');
    expect(e1000RegisterName(E1000_RAH(15))).toBe('RAH[15]');
    expect(e1000RegisterName(0x1234)).toBeUndefined();
    expect(new Set(E1000_REGISTER_NAMES.values()).size).toBe(E1000_REGISTER_NAMES.size);
  });

  it("is the model's registerNames: host.traceRegisters shows the driver's ICR/IMS/IMC sequence", () => {
    const sim = new Simulation({ seed: 4 });
    const setup = makePlatform();
    const nic = addNic(sim, setup, 'h', '02:00:00:00:00:01');
    const sink = new FrameSink({ clock: sim.clock });
    sink.attach(nic.dev);
    nic.ifp.upIf();
    sim.runFor(1_000_000);
    const trace = nic.host.traceRegisters({ filter: /^(ICR|IMS|IMC)$/ });
    const f = new Uint8Array(60);
    f.set(mac('02:00:00:00:00:01'), 0);
    f[12] = 0x88;
    f[13] = 0xb5;
    sink.send(f);
    sim.runFor(1_000_000);
    trace.stop();
    // Interrupt routine reads ICR; the framework masks (IMC); the poll takes late causes (ICR); unmask (IMS).
    expect(trace.names()).toEqual(['read ICR', 'write IMC', 'read ICR', 'write IMS']);
    expect(trace.lines()[0]).toMatch(/read32 ICR\[0x00c0\] -> 0x00000080/);
  });
});
