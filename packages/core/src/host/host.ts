import type { DependencyContainer } from 'tsyringe';
import { DmaSpace } from '../bus/dma.js';
import type { DeviceModel } from '../bus/device.js';
import { RegisterTrace, type RegisterTraceOptions, type RegisterTracer } from '../bus/register-trace.js';
import { BusSpace } from '../bus/registers.js';
import {
  CALLOUTS,
  CLOCK,
  COST_PROFILE,
  CPU,
  DMA,
  DRIVER,
  HOST,
  LINK_LAYER,
  MBUF_POOL,
  PROTOCOL,
} from '../di/tokens.js';
import { resolveAllOptional } from '../di/resolve.js';
import { Callout, CalloutTable } from '../kern/callout.js';
import { type CostProfile, DEFAULT_COST_PROFILE } from '../kern/cost-profile.js';
import { Cpu } from '../kern/cpu.js';
import { Hardclock } from '../kern/hardclock.js';
import { AllocationGuard, type AllocationGuardMode } from '../mbuf/allocation-guard.js';
import { MbufPool } from '../mbuf/pool.js';
import { DispatchTable } from '../net/dispatch-table.js';
import { Ifnet, type IfnetAttachOptions } from '../net/ifnet.js';
import type { LinkLayer } from '../net/link-layer.js';
import { type MitigationPolicyFactory, rateThreshold } from '../net/mitigation-policy.js';
import type { Runner } from '../sim/runner.js';
import type { AttachArgs, DeviceSlot, DriverDescriptor } from './driver.js';
import { createLoopback } from './loopback.js';
import type { ProtocolModule } from './protocol-module.js';

export interface HostOptions {
  /** Host name, used in interface, CPU and pool names. */
  name: string;
  /** The runner (Simulation or RealTimeRunner) whose clock the host runs on. */
  runner: Runner;
  /** Clock ticks per second (`hz`). Default 100. */
  hz?: number;
  /** CPU cost profile (virtual clock). Default {@link DEFAULT_COST_PROFILE}. */
  costs?: CostProfile;
  /**
   * Mbuf pool size. Default 4096 mbufs and 2048 clusters, with a reserve for receive-ring refill
   * (`ALLOC_RESERVE`) of 1/16 of the mbufs and 1/8 of the clusters.
   */
  mbufs?: { mbufs?: number; clusters?: number; reserve?: { mbufs?: number; clusters?: number } };
  /** What allocation in interrupt context does: throw (tests, default) or count. */
  allocationGuard?: AllocationGuardMode;
  /** Interrupt mitigation policy for poll contexts. Default: seed 000's rate threshold at 8000/s. */
  mitigationPolicy?: MitigationPolicyFactory;
  /**
   * Fair share between soft interrupt work and process level (see `Cpu.softQuota`). Default 2 ms;
   * `Infinity` lets softnet starve applications (to reproduce livelock at the socket).
   */
  softQuota?: number;
  /** Create `lo0` at boot. Default true. */
  loopback?: boolean;
}

/**
 * One kernel instance: a CPU with its interrupt controller, continuations, hardclock and callouts; an
 * mbuf pool mapped into a DMA space; a bus with devices; interfaces; dispatch tables; and its own DI
 * child container, so two hosts in one process share nothing by accident.
 *
 * Build hosts with {@link Platform.createHost}. At boot the host attaches every registered protocol
 * module; {@link autoconf} then matches plugged-in devices against registered drivers.
 */
export class Host {
  readonly name: string;
  readonly container: DependencyContainer;
  readonly runner: Runner;
  readonly cpu: Cpu;
  readonly hz: number;
  readonly callouts: CalloutTable;
  readonly hardclock: Hardclock;
  readonly guard: AllocationGuard;
  readonly dma: DmaSpace;
  readonly pool: MbufPool;
  /**
   * @internal The last pool found to belong to this host, by `if_input`'s ownership test or the output
   * boundaries' (`hostOwnsChain`; see `MbufOwner.ownedPool`): one cache of one fact for both directions.
   */
  ownedPool: MbufPool | null = null;
  readonly mitigationPolicy: MitigationPolicyFactory;
  /** Ethertype → protocol input, the table every link layer dispatches through. */
  readonly ethertypes: DispatchTable;
  readonly interfaces: Ifnet[] = [];
  readonly devices: DeviceSlot[] = [];
  readonly protocols: ProtocolModule[] = [];
  /** The loopback interface, when created (undefined again once detached). */
  lo0: Ifnet | undefined;
  private readonly tables = new Map<string, DispatchTable>();
  private readonly linkLayers = new Map<number, LinkLayer>();
  private readonly units = new Map<string, number>();
  private lastIndex = 0;
  private readonly ifListeners: ((ifp: Ifnet) => void)[] = [];
  private readonly watchdog: Callout<Host>;
  /** Interrupt-handler exceptions on lines no interface claims (the line stays masked). */
  strayFaults = 0;
  /** Register traces attached with {@link traceRegisters}, and the one tracer that fans out to them. */
  private readonly registerTraces: RegisterTrace[] = [];
  private readonly traceFanout: RegisterTracer = {
    access: (a) => {
      for (const t of this.registerTraces) t.access(a);
    },
  };
  /** The device slot whose driver is attaching right now (its interfaces get the slot's lines). */
  private attaching: DeviceSlot | undefined;

  constructor(parent: DependencyContainer, options: HostOptions) {
    this.name = options.name;
    this.runner = options.runner;
    this.hz = options.hz ?? 100;
    this.container = parent.createChildContainer();
    this.cpu = new Cpu(`${this.name}.cpu0`, options.runner.clock, options.costs ?? DEFAULT_COST_PROFILE);
    if (options.softQuota !== undefined) {
      if (!(options.softQuota > 0))
        throw new RangeError(`${this.name}: softQuota must be > 0 ns, got ${options.softQuota}`);
      this.cpu.softQuota = options.softQuota;
    }
    this.callouts = new CalloutTable();
    this.callouts.preempt = () => this.cpu.preempt();
    this.callouts.schedule = (kc) => this.cpu.sched.schedule(kc);
    this.hardclock = new Hardclock(this.hz, this.cpu, this.cpu.sched, this.callouts);
    this.guard = new AllocationGuard({ mode: options.allocationGuard ?? 'throw' });
    this.cpu.observeInterruptContext(this.guard);
    this.cpu.onInterruptFault = (src, err) => {
      let owned = false;
      for (const ifp of this.interfaces) {
        if (!ifp.deviceLines.includes(src)) continue;
        owned = true;
        ifp.interruptFault(`${ifp.name} interrupt (${src.name})`, err);
      }
      if (!owned) this.strayFaults++;
    };
    this.dma = new DmaSpace();
    const mbufs = options.mbufs?.mbufs ?? 4096;
    const clusters = options.mbufs?.clusters ?? 2048;
    this.pool = new MbufPool({
      name: `${this.name}.mbuf`,
      mbufs,
      clusters,
      reserve: {
        mbufs: options.mbufs?.reserve?.mbufs ?? Math.floor(mbufs / 16),
        clusters: options.mbufs?.reserve?.clusters ?? Math.floor(clusters / 8),
      },
      guard: this.guard,
      dma: this.dma,
    });
    this.mitigationPolicy = options.mitigationPolicy ?? rateThreshold();
    this.ethertypes = this.dispatchTable('ethertype', 65536);
    this.watchdog = new Callout<Host>(`${this.name}.if_watchdog`, (h) => h.watchdogTick(), this as Host);

    const c = this.container;
    c.register(HOST, { useValue: this });
    c.register(CPU, { useValue: this.cpu });
    c.register(CLOCK, { useValue: this.cpu.clock });
    c.register(CALLOUTS, { useValue: this.callouts });
    c.register(DMA, { useValue: this.dma });
    c.register(MBUF_POOL, { useValue: this.pool });
    c.register(COST_PROFILE, { useValue: this.cpu.costs });

    for (const l of resolveAllOptional(c, LINK_LAYER)) this.linkLayers.set(l.ifType, l);
    this.runner.addCpu(this.cpu);
    this.lo0 = options.loopback === false ? undefined : createLoopback(this);
    this.attachProtocols(resolveAllOptional(c, PROTOCOL));
  }

  /** The clock's (or CPU's) current time in ns. */
  now(): number {
    return this.cpu.now();
  }

  /** Ticks since boot. */
  get ticks(): number {
    return this.hardclock.ticks;
  }

  /** Converts ns to clock ticks (rounded up, at least 1), for callouts. */
  ticksFor(ns: number): number {
    if (!(ns >= 0) || ns === Number.POSITIVE_INFINITY) {
      throw new RangeError(`${this.name}: ticksFor(ns) needs a finite number >= 0, got ${ns}`);
    }
    return Math.max(1, Math.ceil(ns / this.hardclock.tickNs));
  }

  /** A named dispatch table, created on first use (e.g. `ip-protocol` with 256 entries). */
  dispatchTable(name: string, size: number): DispatchTable {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new DispatchTable(`${this.name}.${name}`, size);
      this.tables.set(name, t);
    } else if (t.size !== size) {
      throw new Error(`dispatch table ${name} exists with size ${t.size}, asked for ${size}`);
    }
    return t;
  }

  /** The link layer registered for an interface type, if any. */
  linkLayer(ifType: number): LinkLayer | undefined {
    return this.linkLayers.get(ifType);
  }

  /** Registers a link layer on this host only (the platform's `LINK_LAYER` registrations apply to all). */
  addLinkLayer(l: LinkLayer): void {
    this.linkLayers.set(l.ifType, l);
  }

  /**
   * `if_attach`: creates an interface for a driver. The unit number is the next free one for the driver
   * name. Throws if no link layer is registered for the type (naming the missing package).
   */
  ifAttach(options: IfnetAttachOptions): Ifnet {
    const link = this.linkLayers.get(options.ifType);
    if (link === undefined) {
      throw new Error(
        `${this.name}: no link layer for interface type 0x${options.ifType.toString(16)} ` +
          `(for Ethernet, register @ifnet/ether's link layer on the platform)`,
      );
    }
    const next = this.units.get(options.name) ?? 0;
    const unit = options.unit ?? next;
    if (!Number.isInteger(unit) || unit < 0) throw new RangeError(`${this.name}: bad unit ${unit}`);
    const ifname = options.ifname ?? `${options.name}${unit}`;
    if (this.ifunit(ifname) !== undefined) throw new Error(`${this.name}: interface ${ifname} already exists`);
    this.units.set(options.name, Math.max(next, unit + 1));
    const ifp = new Ifnet(this, link, ++this.lastIndex, unit, options);
    ifp.deviceLines = options.lines ?? this.attaching?.attachArgs.irqs ?? [];
    this.interfaces.push(ifp);
    link.attach?.(ifp);
    return ifp;
  }

  /**
   * `if_detach`: brings the interface down (waiting for running polls; it can no longer come back up),
   * tells every protocol module (`ProtocolModule.ifDetach`, reverse attach order, then the link layer's
   * `detach`), drops every reference core holds (poll contexts, continuations, send queue, hooks,
   * listeners, `lo0`) and removes it from the host. Its index is not reused. A protocol's exception does
   * not stop the detach; the first one is rethrown at the end.
   */
  async ifDetach(ifp: Ifnet): Promise<void> {
    const i = this.interfaces.indexOf(ifp);
    if (i < 0 || ifp.detaching) throw new Error(`${this.name}: ${ifp.name} is not attached here`);
    ifp.detaching = true;
    await ifp.down();
    let firstError: unknown;
    for (let p = this.protocols.length - 1; p >= 0; p--) {
      try {
        this.protocols[p].ifDetach?.(this, ifp);
      } catch (e) {
        firstError ??= e;
      }
    }
    try {
      ifp.link.detach?.(ifp);
    } catch (e) {
      firstError ??= e;
    }
    ifp.teardown();
    this.interfaces.splice(this.interfaces.indexOf(ifp), 1);
    if (this.lo0 === ifp) this.lo0 = undefined;
    this.ifStateChanged(ifp);
    if (firstError !== undefined) throw firstError;
  }

  /** Finds an interface by name (`wm0`). */
  ifunit(name: string): Ifnet | undefined {
    return this.interfaces.find((i) => i.name === name);
  }

  /** Subscribes to interface up/down changes. */
  onIfStateChange(listener: (ifp: Ifnet) => void): void {
    this.ifListeners.push(listener);
  }

  /** @internal Called by Ifnet on up/down. */
  ifStateChanged(ifp: Ifnet): void {
    for (const l of this.ifListeners) l(ifp);
  }

  /**
   * Arms the once-a-second interface watchdog (`if_slowtimo`): drivers set `ifp.watchdogTimer` (seconds)
   * when they queue transmit work and call this; when a timer counts down to zero the driver's `watchdog`
   * runs. It stays armed only while some interface has a timer running.
   */
  armWatchdog(): void {
    if (!this.watchdog.pending) this.callouts.reset(this.watchdog, this.hz);
  }

  private watchdogTick(): void {
    let running = false;
    for (const ifp of this.interfaces) {
      if (ifp.watchdogTimer <= 0) continue;
      if (--ifp.watchdogTimer === 0) {
        ifp.counters.oerrors++;
        ifp.countDrop('watchdog.timeout');
        ifp.ops.watchdog?.(ifp);
      }
      if (ifp.watchdogTimer > 0) running = true;
    }
    if (running) this.callouts.reset(this.watchdog, this.hz);
  }

  /**
   * Plugs a device model into the host's bus: creates its interrupt lines, wraps its register windows in
   * bus space handles and connects it. A driver is attached later by {@link autoconf}.
   */
  attachDevice(model: DeviceModel): DeviceSlot {
    const locator = `pci0:${this.devices.length}`;
    const irqs = [];
    for (let v = 0; v < model.interruptVectors; v++)
      irqs.push(this.cpu.intr.createLine(`${this.name}.${locator}.irq${v}`));
    const cpu = this.cpu;
    // A register access happens at the CPU's time: the hardware catches up first, then the access costs.
    const onAccess = () => {
      cpu.catchUpHardware();
      cpu.charge(cpu.costs.registerAccess);
    };
    // Programmed I/O (string accesses to a data port) costs per byte on top of the access.
    const onStream = (bytes: number) => cpu.charge(cpu.costs.pioPerByte * bytes);
    const bars = model.bars.map((regs, i) => {
      const bus = new BusSpace(regs, `${locator} BAR${i}`, onAccess, model.registerNames?.[i], onStream);
      bus.now = () => cpu.now();
      if (this.registerTraces.length > 0) bus.trace(this.traceFanout);
      return bus;
    });
    model.connect({ clock: this.cpu.clock, dma: this.dma, irqs });
    const attachArgs: AttachArgs = { host: this, ident: model.ident, bars, irqs, dma: this.dma, locator };
    const slot: DeviceSlot = { locator, model, attachArgs };
    this.devices.push(slot);
    return slot;
  }

  /**
   * Traces register accesses of every device of this host (and of devices plugged in later) — QEMU's
   * `-trace e1000*` for the model: `host.traceRegisters({ filter: 'IM*' })`, then `trace.names()` or
   * `trace.lines()`; `print: console.log` prints as it goes. `trace.stop()` detaches it. Several traces
   * may run at once.
   */
  traceRegisters(options: RegisterTraceOptions = {}): RegisterTrace {
    const trace = new RegisterTrace(options);
    this.registerTraces.push(trace);
    this.setBusTracer(this.traceFanout);
    trace.onStop = () => {
      const i = this.registerTraces.indexOf(trace);
      if (i >= 0) this.registerTraces.splice(i, 1);
      if (this.registerTraces.length === 0) this.setBusTracer(null);
    };
    return trace;
  }

  private setBusTracer(t: RegisterTracer | null): void {
    for (const slot of this.devices) for (const bus of slot.attachArgs.bars) bus.trace(t);
  }

  /**
   * Autoconfiguration (NetBSD's `config_search` / `config_attach`): for each device without a driver, ask
   * every registered driver's `match` and attach the best non-zero match (first registered among equals).
   * Returns the slots that got a driver this time.
   */
  autoconf(): DeviceSlot[] {
    const drivers = resolveAllOptional(this.container, DRIVER);
    const attached: DeviceSlot[] = [];
    for (const slot of this.devices) {
      if (slot.driver !== undefined) continue;
      let best: DriverDescriptor | undefined;
      let bestScore = 0;
      for (const d of drivers) {
        const score = d.match(slot.model.ident);
        if (score > bestScore) {
          best = d;
          bestScore = score;
        }
      }
      if (best === undefined) continue;
      const drv = this.container.resolve(best.driver);
      slot.driverName = best.name;
      slot.driver = drv;
      this.attaching = slot;
      try {
        drv.attach(slot.attachArgs);
      } finally {
        this.attaching = undefined;
      }
      attached.push(slot);
    }
    return attached;
  }

  private attachProtocols(modules: ProtocolModule[]): void {
    const byName = new Map(modules.map((m) => [m.name, m]));
    const done = new Set<string>();
    const visiting = new Set<string>();
    const visit = (m: ProtocolModule) => {
      if (done.has(m.name)) return;
      if (visiting.has(m.name)) throw new Error(`protocol modules: dependency cycle through ${m.name}`);
      visiting.add(m.name);
      for (const r of m.requires ?? []) {
        const dep = byName.get(r);
        if (dep === undefined) throw new Error(`protocol module ${m.name} requires ${r}, which is not registered`);
        visit(dep);
      }
      visiting.delete(m.name);
      m.attach(this);
      this.protocols.push(m);
      done.add(m.name);
    };
    for (const m of modules) visit(m);
  }

  /** A plain snapshot of the host: interfaces, interrupts, pool, scheduler. */
  snapshot(): Record<string, unknown> {
    return {
      name: this.name,
      now: this.now(),
      ticks: this.ticks,
      interfaces: this.interfaces.map((i) => i.snapshot()),
      interrupts: this.cpu.intr.snapshot(),
      cpu: { ...this.cpu.stats, chargedSoft: Array.from(this.cpu.stats.chargedSoft) },
      scheduler: { ...this.cpu.sched.stats },
      mbufs: this.pool.snapshot(),
      allocationViolations: this.guard.violations,
    };
  }
}
