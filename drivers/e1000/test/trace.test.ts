import { describe, expect, it } from 'vitest';
import { E1000_GORCH, E1000_ICR, E1000_MTA, E1000_RAH, E1000_RAL, E1000_RDT, E1000_TDT } from '../src/regs.js';
import { E1000_REGISTER_NAMES, e1000RegisterName, formatE1000Access } from '../src/trace.js';

describe('e1000 register names for traces', () => {
  it('names single registers, array elements and unnamed offsets', () => {
    expect(e1000RegisterName(E1000_ICR)).toBe('ICR');
    expect(e1000RegisterName(E1000_RDT)).toBe('RDT');
    expect(e1000RegisterName(E1000_TDT)).toBe('TDT');
    expect(e1000RegisterName(E1000_GORCH)).toBe('GORCH');
    expect(e1000RegisterName(E1000_MTA + 4 * 127)).toBe('MTA[127]');
    expect(e1000RegisterName(E1000_RAL(3))).toBe('RAL[3]');
    expect(e1000RegisterName(E1000_RAH(15))).toBe('RAH[15]');
    expect(e1000RegisterName(0x1234)).toBe('0x01234');
    expect(new Set(E1000_REGISTER_NAMES.values()).size).toBe(E1000_REGISTER_NAMES.size);
  });

  it('formats accesses as QEMU trace lines', () => {
    expect(formatE1000Access(false, E1000_ICR, 0x80)).toBe('e1000 read ICR -> 0x00000080');
    expect(formatE1000Access(true, E1000_RDT, 255)).toBe('e1000 write RDT <- 0x000000ff');
    expect(formatE1000Access(false, 0x8, 0x83, 16)).toBe('e1000 read/16 STATUS -> 0x0083');
  });
});
