import { describe, expect, it } from 'vitest';
import {
  E1000_IMS,
  E1000_ITR,
  E1000_RADV,
  E1000_RDTR,
  E1000_TADV,
  E1000_TDT,
  E1000_TIDV,
  ICR_RXT0,
  ICR_TXDW,
  TXD_CMD_EOP,
  TXD_CMD_IDE,
  TXD_CMD_RS,
} from '../src/regs.js';
import { DeviceRig, MAC, PEER, ethFrame } from './device-helpers.js';

/** A receive rig with a 256-descriptor ring and RXT0 enabled. */
function rxRig(): DeviceRig {
  const rig = new DeviceRig();
  rig.linkUp();
  rig.setupRx(256);
  rig.write(E1000_IMS, ICR_RXT0);
  return rig;
}

/** Injects one frame at each of `times` (ns), running the simulation in between. */
function framesAt(rig: DeviceRig, times: number[]): void {
  for (const t of times) {
    rig.run(t);
    rig.inject(ethFrame(MAC));
  }
}

const every = (from: number, to: number, step: number) => {
  const out: number[] = [];
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
};

describe('e1000 model: interrupt moderation on the clock', () => {
  it('without moderation, RXT0 is raised by every frame at once', () => {
    const rig = rxRig();
    framesAt(rig, [0, 1000, 1500]);
    rig.run(100_000);
    expect(rig.irqs).toEqual([
      { at: 0, icr: ICR_RXT0 },
      { at: 1000, icr: ICR_RXT0 },
      { at: 1500, icr: ICR_RXT0 },
    ]);
  });

  it('ITR holds the next assertion until ITR × 256 ns after the previous one', () => {
    const rig = rxRig();
    rig.write(E1000_ITR, 40); // 10.24 µs: at most 97,656 interrupts/s
    framesAt(rig, every(0, 31_000, 1000));
    rig.run(100_000);
    // The last frame (31,000) arrives after the fourth interrupt and waits for the next window.
    expect(rig.irqs.map((i) => i.at)).toEqual([0, 10_240, 20_480, 30_720, 40_960]);
    expect(rig.irqs.every((i) => i.icr === ICR_RXT0)).toBe(true);
    expect(rig.dev.stats.rxDelivered).toBe(32);
  });

  it('RDTR is a packet timer: restarted by every frame, it fires RDTR × 1.024 µs after the last one', () => {
    const rig = rxRig();
    rig.write(E1000_RDTR, 10); // 10.24 µs
    framesAt(rig, [0, 5000, 8000, 30_000]);
    rig.run(100_000);
    expect(rig.irqs).toEqual([
      { at: 8000 + 10_240, icr: ICR_RXT0 },
      { at: 30_000 + 10_240, icr: ICR_RXT0 },
    ]);
  });

  it('RADV bounds the delay from the first frame while a steady stream keeps restarting RDTR', () => {
    const rig = rxRig();
    rig.write(E1000_RDTR, 10); // 10.24 µs
    rig.write(E1000_RADV, 12); // 12.288 µs
    framesAt(rig, every(0, 40_000, 5000));
    rig.run(200_000);
    // 0 → absolute at 12,288; next frame 15,000 → 27,288; next frame 30,000 → 42,288 (the packet timer,
    // restarted at 40,000, would only fire at 50,240 and is cancelled by RXT0).
    expect(rig.irqs.map((i) => i.at)).toEqual([12_288, 27_288, 42_288]);
  });

  it('RADV is ignored when RDTR is 0', () => {
    const rig = rxRig();
    rig.write(E1000_RADV, 12);
    framesAt(rig, [0, 5000]);
    rig.run(100_000);
    expect(rig.irqs.map((i) => i.at)).toEqual([0, 5000]);
  });

  it('writing RDTR with FPD (bit 31) fires a pending receive timer at once', () => {
    const rig = rxRig();
    rig.write(E1000_RDTR, 10);
    framesAt(rig, [0]);
    rig.run(3000);
    rig.write(E1000_RDTR, 0x8000_000a);
    expect(rig.read(E1000_RDTR)).toBe(10);
    rig.run(100_000);
    expect(rig.irqs.map((i) => i.at)).toEqual([3000]);
  });

  it('ITR and RDTR combine: the timer raises RXT0, ITR spaces the assertions', () => {
    const rig = rxRig();
    rig.write(E1000_RDTR, 2); // 2.048 µs
    rig.write(E1000_ITR, 20); // 5.12 µs
    framesAt(rig, [0, 3000, 6000]);
    rig.run(100_000);
    // RXT0 at 2048 (asserted), 5048 (held until 2048 + 5120 = 7168), 8048 (held until 12,288).
    expect(rig.irqs.map((i) => i.at)).toEqual([2048, 7168, 12_288]);
  });

  it('TIDV/TADV delay TXDW for descriptors with IDE; without IDE it is immediate', () => {
    const rig = new DeviceRig();
    rig.linkUp();
    rig.setupTx(64);
    rig.write(E1000_IMS, ICR_TXDW);
    rig.write(E1000_TIDV, 8); // 8.192 µs
    rig.write(E1000_TADV, 20); // 20.48 µs
    let slot = 0;
    const sendAt = (times: number[], cmd: number) => {
      for (const t of times) {
        rig.run(t);
        rig.txDesc(slot, ethFrame(PEER), cmd);
        slot++;
        rig.write(E1000_TDT, slot);
      }
    };
    const IDE = TXD_CMD_EOP | TXD_CMD_RS | TXD_CMD_IDE;
    sendAt([0, 2000, 4000], IDE);
    sendAt(every(30_000, 60_000, 5000), IDE);
    sendAt([100_000], TXD_CMD_EOP | TXD_CMD_RS);
    rig.run(1_000_000);
    // 4000 + 8192; then the stream keeps the relative timer from expiring and the absolute one fires
    // at 30,000 + 20,480; the last two packets (55,000 and 60,000) end with 60,000 + 8192.
    expect(rig.irqs.map((i) => i.at)).toEqual([12_192, 50_480, 68_192, 100_000]);
    expect(rig.irqs.every((i) => (i.icr & ICR_TXDW) !== 0)).toBe(true);
  });

  it('a masked cause raised during the ITR window waits for IMS, then for the window', () => {
    const rig = rxRig();
    rig.write(E1000_ITR, 40);
    framesAt(rig, [0]);
    rig.run(100);
    rig.write(0xd8, ICR_RXT0); // IMC
    framesAt(rig, [2000]);
    rig.run(20_000);
    expect(rig.irqs.map((i) => i.at)).toEqual([0]);
    rig.write(E1000_IMS, ICR_RXT0); // at 20,000: past the window, asserts now
    rig.run(30_000);
    expect(rig.irqs.map((i) => i.at)).toEqual([0, 20_000]);
  });
});
