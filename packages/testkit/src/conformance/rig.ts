/**
 * A conformance rig: one simulation, one host built from a platform with Ethernet, the kit's probe
 * protocol and the driver under test; one or more of the driver's devices, each on a virtual cable to a
 * reference peer (a {@link FrameSink} that sends and captures raw frames). Everything runs on the virtual
 * clock, so every check is deterministic.
 *
 * @module
 */
import {
  type AllocationGuard,
  type DeviceSlot,
  type Host,
  type Ifnet,
  type InterruptSource,
  type MitigationPolicyFactory,
  type Platform,
  Simulation,
  alwaysUnmask,
  createPlatform,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { FrameSink, VirtualCable } from '@ifnet/wire';
import { Observer } from './observer.js';
import { Probe, formatMac, macBytes, probeFrame } from './probe.js';
import { ContractViolation, expectRule } from './rules.js';
import type { DriverSubject } from './subject.js';

export const MS = 1_000_000;
export const SEC = 1_000_000_000;

/** One device of the driver under test, its interface, and the peer at the other end of its cable. */
export interface RigNic {
  readonly slot: DeviceSlot;
  readonly ifp: Ifnet;
  readonly mac: Uint8Array;
  readonly peerMac: Uint8Array;
  readonly cable: VirtualCable;
  readonly peer: FrameSink;
}

export interface RigOptions {
  /** Devices to plug in. Default 1. */
  nics?: number;
  /** Mitigation policy. Default always-unmask, so every frame interrupts (rules are easiest to see). */
  policy?: MitigationPolicyFactory;
}

export class Rig {
  readonly sim = new Simulation({ seed: 12 });
  readonly platform: Platform;
  readonly host: Host;
  readonly probe = new Probe();
  readonly obs = new Observer();
  readonly nics: RigNic[] = [];
  private seq = 0;
  /** The frame {@link hostSend} sent last. */
  lastSent: Uint8Array = new Uint8Array(0);

  constructor(
    readonly subject: DriverSubject,
    options: RigOptions = {},
  ) {
    this.platform = createPlatform();
    registerEther(this.platform);
    const probe = this.probe;
    this.platform.registerProtocol({ name: 'testkit-probe', attach: (h) => probe.attach(h) });
    subject.register(this.platform);
    this.host = this.platform.createHost({
      name: 'dut',
      runner: this.sim,
      loopback: false,
      allocationGuard: 'count',
      mitigationPolicy: options.policy ?? alwaysUnmask,
      mbufs: { mbufs: 2048, clusters: 1024 },
    });
    const n = options.nics ?? 1;
    for (let i = 0; i < n; i++) this.plug(i);
    const attached = this.host.autoconf();
    expectRule(
      attached.length === n,
      'attach',
      () =>
        `autoconfiguration attached a driver to ${attached.length} of ${n} devices: does the driver's match() accept the device's ids (${idsOf(this.host.devices[0])})?`,
    );
    for (let i = 0; i < n; i++) this.adopt(i);
  }

  private readonly pending: {
    dev: ReturnType<DriverSubject['createDevice']>;
    mac: Uint8Array;
    peerMac: Uint8Array;
    cable: VirtualCable;
    peer: FrameSink;
  }[] = [];

  private plug(i: number): void {
    const macStr = `02:1f:00:00:0${i}:01`;
    const dev = this.subject.createDevice(macStr);
    const peer = new FrameSink({ name: `peer${i}`, clock: this.sim.clock, maxCaptured: 100_000 });
    const cable = new VirtualCable(this.sim.clock, { name: `cable${i}`, maxInFlight: 8192, ringBytes: 16 << 20 });
    cable.connect(dev, peer);
    const watched = this.obs.watchModel(dev);
    this.host.attachDevice(watched.proxy);
    watched.arm();
    this.pending.push({ dev, mac: macBytes(macStr), peerMac: macBytes(`02:1f:00:00:0${i}:fe`), cable, peer });
  }

  private adopt(i: number): void {
    const slot = this.host.devices[i];
    const p = this.pending[i];
    expectRule(
      slot.driverName === this.subject.driverName,
      'attach',
      () => `autoconfiguration chose driver '${slot.driverName}' for the device, expected '${this.subject.driverName}'`,
    );
    const ifp = this.host.interfaces.find((x) => x.softc === slot.driver) ?? this.host.interfaces[i];
    expectRule(
      ifp !== undefined,
      'attach',
      () => 'the driver attached but created no interface (call host.ifAttach in attach)',
    );
    expectRule(
      ifp.pollContexts.length > 0,
      'attach',
      () => `${ifp.name} has no poll context: add one with ifp.addPollContext (or ifp.setIfPoll) in attach`,
    );
    expectRule(
      formatMac(ifp.lladdr) === formatMac(p.mac),
      'attach',
      () =>
        `${ifp.name}'s link address is ${formatMac(ifp.lladdr)}, but the device's EEPROM holds ${formatMac(p.mac)}: read the station address from the device`,
    );
    const wantMask = this.subject.deviceClass === 'dma';
    for (const ctx of ifp.pollContexts) {
      expectRule(
        ctx.maskOnDefer === wantMask,
        'interrupt-routine',
        () =>
          `${ctx.name} has maskOnDefer=${ctx.maskOnDefer}, but a ${this.subject.deviceClass.toUpperCase()} device must ${wantMask ? 'be masked while its poll runs (it keeps filling host memory by itself)' : 'stay unmasked so the card keeps being drained'}`,
      );
    }
    this.obs.instrument(this.host, ifp, slot.attachArgs.irqs, slot.attachArgs.bars);
    expectRule(
      slot.attachArgs.irqs.some((l) => l.handler !== undefined),
      'attach',
      () => `${ifp.name}: no interrupt handler was established at attach (host.cpu.intr.establish)`,
    );
    this.nics.push({ slot, ifp, mac: p.mac, peerMac: p.peerMac, cable: p.cable, peer: p.peer });
  }

  get nic(): RigNic {
    return this.nics[0];
  }

  /** Brings `nic` (default: the first) up and lets it settle for `settle` ns. */
  up(settle = MS, nic: RigNic = this.nic): RigNic {
    nic.ifp.upIf();
    this.run(settle);
    return nic;
  }

  /** The interrupt lines of the first device that have a handler established. */
  lines(): InterruptSource[] {
    return this.nic.slot.attachArgs.irqs.filter((l) => l.handler !== undefined);
  }

  get guard(): AllocationGuard {
    return this.host.guard;
  }

  /** Runs the simulation; an exception escaping the kernel (not contained by the framework) is a violation. */
  run(ns: number): void {
    try {
      this.sim.runFor(ns);
    } catch (e) {
      if (e instanceof ContractViolation) throw e;
      throw new ContractViolation('no-exception', `an exception escaped to the simulation: ${describeError(e)}`);
    }
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** The peer sends a kit frame of `len` bytes to `dst` (default: the interface's address). Returns its sequence number. */
  peerSend(nic: RigNic, len: number, dst: Uint8Array = nic.mac, kind = 0): number {
    const seq = this.nextSeq();
    nic.peer.send(probeFrame(dst, nic.peerMac, seq, len, kind));
    return seq;
  }

  /** The host transmits a kit frame of `len` bytes to the peer through `ifp.transmit`. */
  hostSend(nic: RigNic, len: number, dst: Uint8Array = nic.peerMac): number {
    const seq = this.nextSeq();
    const f = probeFrame(dst, nic.ifp.lladdr, seq, len);
    this.lastSent = f;
    const m = this.host.pool.devget(f, 0, f.length, null);
    if (m === null) throw new Error('testkit: the mbuf pool is exhausted before the test could send');
    nic.ifp.transmit(m);
    return seq;
  }

  /** Sequence numbers the probe received on `nic`. */
  delivered(nic: RigNic): number[] {
    return this.probe.log(nic.ifp.name).seqs;
  }

  /** Kit frames the peer captured, as sequence numbers (and exact bytes, for comparison). */
  peerFrames(nic: RigNic): Uint8Array[] {
    return nic.peer.frames.map((f) => f.bytes).filter((b) => b[12] === 0x88 && b[13] === 0xb5);
  }

  /** Sum of the interface's named drops. */
  drops(nic: RigNic): number {
    let s = 0;
    for (const v of Object.values(nic.ifp.counters.drops)) s += v;
    return s;
  }

  /**
   * Detaches every interface (the driver's `detach`, or `host.ifDetach`), then checks what the observers
   * saw and that the pool holds nothing. Violations found by the observers come first: they name the cause.
   */
  async finish(): Promise<void> {
    this.run(50 * MS);
    for (const nic of this.nics) {
      const drv = nic.slot.driver;
      if (drv?.detach !== undefined) await drv.detach();
      else if (this.host.interfaces.includes(nic.ifp)) await this.host.ifDetach(nic.ifp);
      expectRule(
        !this.host.interfaces.includes(nic.ifp),
        'detach',
        () => `${nic.ifp.name} is still attached to the host after detach`,
      );
      expectRule(
        nic.slot.attachArgs.irqs.every((l) => l.handler === undefined),
        'detach',
        () => `${nic.ifp.name}: an interrupt handler is still established after detach (host.cpu.intr.disestablish)`,
      );
    }
    this.run(10 * MS);
    this.checkObservations();
    const acc = this.host.pool.checkAccounting();
    expectRule(acc.ok, 'pool-balance', () => `the pool's accounting is inconsistent: ${acc.detail}`);
    const s = this.host.pool.stats;
    expectRule(
      s.mbufs.inUse === 0 && s.clusters.inUse === 0,
      'pool-balance',
      () =>
        `${s.mbufs.inUse} mbufs (${s.clusters.inUse} with clusters) are still allocated after the interface was brought down and detached: free every buffer your rings and queues hold in if_stop`,
    );
  }

  /** Violations the observers recorded, most fundamental first. */
  checkObservations(): void {
    const o = this.obs;
    const ex = o.unexpectedExceptions;
    expectRule(
      ex.length === 0,
      'no-exception',
      () =>
        `the driver's poll threw ${ex.length} time(s) (${describeError(ex[0])}): a poll must never throw — the framework contains it by resetting the interface, and the packets in flight are lost`,
    );
    expectRule(
      o.intrExceptions.length === 0,
      'no-exception',
      () =>
        `the driver's interrupt routine threw ${o.intrExceptions.length} time(s) (${describeError(o.intrExceptions[0])}): the framework masks the line and resets the interface, but an interrupt routine must never throw`,
    );
    const g = this.host.guard;
    expectRule(
      g.violations === 0,
      'no-alloc-in-interrupt',
      () =>
        `${g.violations} allocation(s) in interrupt context (${g.lastViolationOperation} from pool '${g.lastViolationPool}'): take pre-allocated mbufs in the interrupt routine and allocate in the poll`,
    );
    expectRule(
      o.modelTouches.size === 0,
      'bus-only',
      () =>
        `the device model was used outside the bus (${[...o.modelTouches].join(', ')}): a driver must reach its device only through the BusSpace, DMA and interrupt lines in its AttachArgs — the model is hardware`,
    );
    expectRule(
      o.inputsInInterrupt === 0,
      'interrupt-routine',
      () =>
        `${o.inputsInInterrupt} packet(s) were handed to if_input from interrupt context: queue them (PIO) or leave them in the ring (DMA) and hand them up from the poll`,
    );
    expectRule(
      o.claimedWithoutDefer === 0,
      'interrupt-routine',
      () =>
        `the interrupt routine claimed ${o.claimedWithoutDefer} interrupt(s) without deferring to a poll context: call ctx.defer() (ifp.defer()) after acknowledging the device`,
    );
    expectRule(
      o.intrWhileMasked === 0,
      'mask',
      () =>
        `the device interrupted ${o.intrWhileMasked} time(s) while its poll round was scheduled or running: the driver unmasked it itself — leave unmasking to the framework (intrEnable is called when the round completes)`,
    );
    expectRule(
      o.budgetViolations.length === 0,
      'budget',
      () => `${o.budgetViolations[0]}: stop at the budget and return it, the framework polls again`,
    );
  }
}

function idsOf(slot: DeviceSlot | undefined): string {
  if (slot === undefined) return 'none';
  const i = slot.model.ident;
  return `${i.vendor.toString(16).padStart(4, '0')}:${i.device.toString(16).padStart(4, '0')}`;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
