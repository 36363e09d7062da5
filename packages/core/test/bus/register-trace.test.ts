/**
 * Tools for the next defect (issue 8): a register-access trace in core's bus space (QEMU's `-trace`) with
 * names supplied by the device model, and an accessor from a poll context to its interrupt line — so a
 * test sees the IMS/IMC/ICR sequence and the line's mask state without patching device methods.
 */
import { describe, expect, it } from 'vitest';
import {
  type AttachArgs,
  BusSpace,
  type DeviceDriver,
  type DeviceIdent,
  HOST,
  type Host,
  IFT_LOOP,
  type RegisterAccess,
  RegisterTrace,
  Simulation,
  ZERO_COST_PROFILE,
  createPlatform,
  formatRegisterAccess,
  inject,
  injectable,
} from '../../src/index.js';
import { rig, toyNic } from '../helpers/setup.js';
import { ToyNicDevice } from '../helpers/toy-nic.js';

describe('register-access trace', () => {
  it('host.traceRegisters records reads and writes with offset, value and the device-supplied name', () => {
    const { sim, host } = rig();
    const trace = host.traceRegisters();
    const drv = toyNic(host); // plugged in after the trace started: traced too
    drv.dev.receive(7);
    sim.runFor(1_000_000);
    expect(drv.delivered).toEqual([7]);
    // up: IMS; interrupt: ICR; defer masks: IMC; poll: RXPOP until empty; completion: IMS, re-check RXQ.
    expect(trace.names()).toEqual([
      'write IMS',
      'read ICR',
      'write IMC',
      'read RXPOP',
      'read RXPOP',
      'write IMS',
      'read RXQ',
    ]);
    const pop = trace.records.find((a) => a.name === 'RXPOP')!;
    expect(pop).toMatchObject({ op: 'read', width: 32, offset: 0x10, value: 7, bus: 'pci0:0 BAR0', error: false });
    expect(formatRegisterAccess(pop)).toBe('t=0 pci0:0 BAR0 read32 RXPOP[0x0010] -> 0x00000007');
  });

  it('filters with a glob (QEMU style), prints, keeps the most recent records, and stops', () => {
    const { sim, host } = rig();
    const printed: string[] = [];
    const trace = host.traceRegisters({ filter: 'IM?', print: (l) => printed.push(l), limit: 3 });
    const drv = toyNic(host);
    for (let i = 1; i <= 3; i++) {
      drv.dev.receive(i);
      sim.runFor(1_000_000);
    }
    expect(trace.names()).toEqual(['write IMS', 'write IMC', 'write IMS']);
    expect(trace.dropped).toBe(4);
    expect(printed).toHaveLength(7);
    expect(printed[0]).toMatch(/write32 IMS\[0x0004\] = 0x00000001/);
    trace.stop();
    drv.dev.receive(9);
    sim.runFor(1_000_000);
    expect(printed).toHaveLength(7);
  });

  it('BusSpace.trace works on one window; bad accesses are traced as bus errors; unnamed offsets show as hex', () => {
    const dev = new ToyNicDevice();
    const bus = new BusSpace(dev, 'toy BAR0');
    const seen: RegisterAccess[] = [];
    bus.trace({ access: (a) => seen.push(a) });
    bus.read32(0x40);
    bus.write16(0x02, 5);
    expect(seen.map(formatRegisterAccess)).toEqual([
      't=0 toy BAR0 read32 0x0040 -> 0xffffffff (bus error)',
      't=0 toy BAR0 write16 0x0002 = 0x0005',
    ]);
    bus.trace(null);
    bus.read32(0);
    expect(seen).toHaveLength(2);
    expect(() => new RegisterTrace({ limit: 0 })).toThrow(RangeError);
  });
});

describe('poll context → interrupt line', () => {
  it('shows the line masked while a poll is pending and unmasked after completion (controller mask, no patching)', () => {
    const { sim, host } = rig();
    const drv = toyNic(host);
    const line = drv.ctx.interruptLine!;
    expect(line).toBe(host.devices[0].attachArgs.irqs[0]);
    let assertedDuringPoll = false;
    drv.dev.receive(1);
    sim.clock.advanceTo(1);
    assertedDuringPoll = line.asserted;
    sim.runFor(1_000_000);
    expect(assertedDuringPoll).toBe(true);
    expect(line.stats.taken).toBe(1);
    expect(line.asserted).toBe(false);
    expect(line.masked).toBe(false);
  });

  it('is filled in by autoconf for interfaces a driver creates in attach; null for software interfaces', () => {
    @injectable()
    class Drv implements DeviceDriver {
      constructor(@inject(HOST) readonly host: Host) {}
      attach(_aa: AttachArgs): void {
        const ifp = this.host.ifAttach({ name: 'ac', ifType: IFT_LOOP, ops: { init() {}, stop() {}, start() {} } });
        const ops = { poll: () => 0, intrEnable() {}, intrDisable() {}, workPending: () => false };
        ifp.addPollContext({ ops });
        ifp.addPollContext({ ops });
      }
    }
    const platform = createPlatform().registerDriver({
      name: 'ac',
      match: (id: DeviceIdent) => (id.vendor === 0x1234 ? 1 : 0),
      driver: Drv,
    });
    const host = platform.createHost({ name: 'h', runner: new Simulation(), costs: ZERO_COST_PROFILE });
    const slot = host.attachDevice(new ToyNicDevice());
    host.autoconf();
    const ifp = host.ifunit('ac0')!;
    expect(ifp.pollContexts[0].interruptLine).toBe(slot.attachArgs.irqs[0]);
    expect(ifp.pollContexts[1].interruptLine).toBe(slot.attachArgs.irqs[0]); // one vector for both queues
    expect(host.lo0!.pollContexts[0].interruptLine).toBeNull();
  });
});
