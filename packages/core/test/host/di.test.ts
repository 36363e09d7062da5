import { describe, expect, it } from 'vitest';
import {
  type AttachArgs,
  CPU,
  type Cpu,
  type DeviceDriver,
  type DeviceIdent,
  HOST,
  type Host,
  IFT_ETHER,
  IFT_LOOP,
  IPL_NET,
  MBUF_POOL,
  type MbufPool,
  Simulation,
  createPlatform,
  DRIVER,
  inject,
  injectable,
  resolveAllOptional,
} from '../../src/index.js';
import { CAUSE_RX, ICR, IMS, ToyNicDevice } from '../helpers/toy-nic.js';

/** A driver written the way third-party drivers are: a class resolved from the host's container. */
@injectable()
class ToyAutoconfDriver implements DeviceDriver {
  attachedTo = '';
  interrupts = 0;
  constructor(
    @inject(HOST) readonly host: Host,
    @inject(CPU) readonly cpu: Cpu,
    @inject(MBUF_POOL) readonly pool: MbufPool,
  ) {}
  attach(aa: AttachArgs): void {
    this.attachedTo = aa.locator;
    const regs = aa.bars[0];
    regs.write32(IMS, CAUSE_RX);
    this.cpu.intr.establish(
      aa.irqs[0],
      IPL_NET,
      (d: ToyAutoconfDriver) => {
        if (regs.read32(ICR) === 0) return false;
        d.interrupts++;
        return true;
      },
      this,
      'toyac',
    );
  }
}

const toyDescriptor = {
  name: 'toyac',
  match: (id: DeviceIdent) => (id.vendor === 0x1234 && id.device === 0x0001 ? 10 : 0),
  driver: ToyAutoconfDriver,
};

describe('DI wiring and autoconfiguration', () => {
  it('autoconf matches devices against registered drivers and resolves the class with injected services', () => {
    const sim = new Simulation();
    const platform = createPlatform().registerDriver(toyDescriptor);
    const host = platform.createHost({ name: 'h', runner: sim });
    const dev = new ToyNicDevice();
    const other = new ToyNicDevice();
    (other as { ident: DeviceIdent }).ident = { vendor: 0xdead, device: 1, deviceClass: 'network' };
    host.attachDevice(dev);
    host.attachDevice(other);
    const attached = host.autoconf();
    expect(attached.map((s) => `${s.locator}=${s.driverName}`)).toEqual(['pci0:0=toyac']);
    const drv = host.devices[0].driver as ToyAutoconfDriver;
    expect(drv).toBeInstanceOf(ToyAutoconfDriver);
    expect(drv.host).toBe(host);
    expect(drv.cpu).toBe(host.cpu);
    expect(drv.pool).toBe(host.pool);
    expect(host.devices[1].driver).toBeUndefined();
    // The attached driver really owns the device's interrupt.
    dev.receive(7);
    sim.runUntilIdle();
    expect(drv.interrupts).toBe(1);
    // A second autoconf pass does not re-attach.
    expect(host.autoconf()).toEqual([]);
  });

  it('the best match wins, the first registered among equals', () => {
    const sim = new Simulation();
    const generic = { ...toyDescriptor, name: 'generic', match: () => 1 };
    const specific = { ...toyDescriptor, name: 'specific', match: () => 5 };
    const tie = { ...toyDescriptor, name: 'tie', match: () => 5 };
    const host = createPlatform()
      .registerDriver(generic)
      .registerDriver(specific)
      .registerDriver(tie)
      .createHost({ name: 'h', runner: sim });
    host.attachDevice(new ToyNicDevice());
    expect(host.autoconf()[0].driverName).toBe('specific');
  });

  it('each host is its own child container: two hosts share no service', () => {
    const sim = new Simulation();
    const platform = createPlatform();
    const a = platform.createHost({ name: 'a', runner: sim });
    const b = platform.createHost({ name: 'b', runner: sim });
    expect(a.container.resolve(HOST)).toBe(a);
    expect(b.container.resolve(HOST)).toBe(b);
    // (Identity compared directly: vitest's `not.toBe` deep-compares objects to word its message, and a
    // pool is large.)
    expect(a.container.resolve(MBUF_POOL) === b.container.resolve(MBUF_POOL)).toBe(false);
    expect(a.container.resolve(MBUF_POOL)).toBe(a.pool);
    expect(a.cpu === b.cpu).toBe(false);
    expect(a.lo0 === b.lo0).toBe(false);
    // Two platforms are independent too: a driver registered on one is not seen by the other.
    const p2 = createPlatform().registerDriver(toyDescriptor);
    expect(resolveAllOptional(platform.container, DRIVER)).toEqual([]);
    expect(resolveAllOptional(p2.container, DRIVER)).toHaveLength(1);
  });

  it('protocol modules attach in dependency order and a missing dependency is named', () => {
    const sim = new Simulation();
    const order: string[] = [];
    const platform = createPlatform()
      .registerProtocol({ name: 'udp', requires: ['ip'], attach: () => order.push('udp') })
      .registerProtocol({ name: 'ip', requires: ['link'], attach: () => order.push('ip') })
      .registerProtocol({ name: 'link', attach: () => order.push('link') });
    platform.createHost({ name: 'h', runner: sim });
    expect(order).toEqual(['link', 'ip', 'udp']);

    const broken = createPlatform().registerProtocol({ name: 'udp', requires: ['ip'], attach() {} });
    expect(() => broken.createHost({ name: 'h', runner: sim })).toThrow(/udp requires ip, which is not registered/);
  });

  it('attaching an interface without its link layer says which package is missing', () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({ name: 'h', runner: sim });
    expect(() => host.ifAttach({ name: 'wm', ifType: IFT_ETHER, ops: { init() {}, stop() {}, start() {} } })).toThrow(
      /register @ifnet\/ether/,
    );
  });

  it('if_initname-style names and units, and if_detach', async () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({ name: 'h', runner: sim });
    const ops = { init() {}, stop() {}, start() {} };
    const a = host.ifAttach({ name: 'tun', ifType: IFT_LOOP, ops });
    const b = host.ifAttach({ name: 'tun', ifType: IFT_LOOP, ops, unit: 5 });
    const c = host.ifAttach({ name: 'tun', ifType: IFT_LOOP, ops });
    const d = host.ifAttach({ name: 'pair', ifType: IFT_LOOP, ops, ifname: 'pair0a', unit: 0 });
    expect([a.name, b.name, c.name, d.name]).toEqual(['tun0', 'tun5', 'tun6', 'pair0a']);
    expect(() => host.ifAttach({ name: 'tun', ifType: IFT_LOOP, ops, unit: 5 })).toThrow(/tun5 already exists/);
    b.upIf();
    await host.ifDetach(b);
    expect(b.up).toBe(false);
    expect(host.ifunit('tun5')).toBeUndefined();
    expect(host.interfaces.map((i) => i.index)).toEqual([1, 2, 4, 5]); // indexes are not reused
    await expect(host.ifDetach(b)).rejects.toThrow(/not attached/);
  });

  it('dispatch tables refuse double registration and out-of-range keys', () => {
    const sim = new Simulation();
    const host = createPlatform().createHost({ name: 'h', runner: sim });
    const t = host.dispatchTable('ip-protocol', 256);
    t.register(17, 'udp', () => {});
    expect(() => t.register(17, 'udp2', () => {})).toThrow(/already registered by udp/);
    expect(() => t.register(256, 'x', () => {})).toThrow(RangeError);
    expect(host.dispatchTable('ip-protocol', 256)).toBe(t);
    expect(() => host.dispatchTable('ip-protocol', 128)).toThrow(/size 256/);
    expect(t.list().map((e) => e.name)).toEqual(['udp']);
  });
});
