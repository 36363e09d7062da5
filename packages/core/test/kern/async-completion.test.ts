import { describe, expect, it } from 'vitest';
import {
  Continuation,
  type DeviceBusContext,
  type DeviceModel,
  type DeviceRegisters,
  type HardwareTimer,
  IPL_NET,
  IPL_SOFTNET,
  type InterruptLine,
  usec,
} from '../../src/index.js';
import { rig } from '../helpers/setup.js';

/**
 * A crypto card in the spirit of seed 002's bcm5823: a shallow work queue (4 deep), each job takes 50 µs,
 * completion raises an interrupt. Registers: 0x00 SUBMIT (write a job tag; ignored and counted when full),
 * 0x04 DONE (read: pops a completed tag, 0 when none; deasserts when empty), 0x08 FULL_REFUSALS.
 */
class CryptoCard implements DeviceModel, DeviceRegisters {
  readonly model = 'crypto-card';
  readonly ident = { vendor: 0x14e4, device: 0x5823, deviceClass: 'crypto' };
  readonly bars: DeviceRegisters[] = [this];
  readonly interruptVectors = 1;
  readonly size = 16;
  private readonly queue: number[] = [];
  private readonly done: number[] = [];
  refusals = 0;
  private line!: InterruptLine;
  private timer!: HardwareTimer;
  connect(ctx: DeviceBusContext): void {
    this.line = ctx.irqs[0];
    this.timer = ctx.clock.createTimer('crypto', () => {
      this.done.push(this.queue.shift()!);
      this.line.assert();
      if (this.queue.length > 0) this.timer.armAfter(usec(50));
    });
  }
  read8(): number {
    return 0;
  }
  read16(): number {
    return 0;
  }
  read32(off: number): number {
    if (off === 0x04) {
      const v = this.done.shift() ?? 0;
      if (this.done.length === 0) this.line.deassert();
      return v;
    }
    return off === 0x08 ? this.refusals : 0;
  }
  write8(): void {}
  write16(): void {}
  write32(off: number, v: number): void {
    if (off !== 0x00) return;
    if (this.queue.length === 4) {
      this.refusals++;
      return;
    }
    this.queue.push(v);
    if (!this.timer.armed) this.timer.armAfter(usec(50));
  }
}

describe('asynchronous offload resumed by a continuation (seed 002)', () => {
  it("the completion interrupt schedules the packet's continuation: no thread, no context switch", () => {
    const { sim, host } = rig();
    const cpu = host.cpu;
    const slot = host.attachDevice(new CryptoCard());
    const regs = slot.attachArgs.bars[0];
    const resumed: string[] = [];
    // One pre-built continuation per request slot: the "rest of IPsec input" for that packet.
    const slots = [1, 2, 3, 4, 5].map(
      (tag) =>
        new Continuation(
          `ipsec-resume-${tag}`,
          IPL_SOFTNET,
          (t: number) => resumed.push(`${t}@${cpu.now()}/ipl${cpu.ipl}/intr${cpu.interruptDepth}`),
          tag,
        ),
    );
    cpu.intr.establish(
      slot.attachArgs.irqs[0],
      IPL_NET,
      () => {
        let claimed = false;
        for (let tag = regs.read32(0x04); tag !== 0; tag = regs.read32(0x04)) {
          cpu.sched.schedule(slots[tag - 1]);
          claimed = true;
        }
        return claimed;
      },
      null,
      'crypto',
    );
    // Protocol input at softnet submits five packets; the fifth finds the 4-deep queue full.
    cpu.sched.schedule(
      new Continuation(
        'ipsec-input',
        IPL_SOFTNET,
        () => {
          for (let tag = 1; tag <= 5; tag++) regs.write32(0x00, tag);
        },
        null,
      ),
    );
    sim.runUntilIdle();
    expect(resumed).toEqual([
      `1@${usec(50)}/ipl${IPL_SOFTNET}/intr0`,
      `2@${usec(100)}/ipl${IPL_SOFTNET}/intr0`,
      `3@${usec(150)}/ipl${IPL_SOFTNET}/intr0`,
      `4@${usec(200)}/ipl${IPL_SOFTNET}/intr0`,
    ]);
    expect(regs.read32(0x08)).toBe(1); // the refused fifth job is counted by the card
    expect(cpu.stats.interrupts).toBe(4);
  });
});
