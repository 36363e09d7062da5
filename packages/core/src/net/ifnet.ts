import type { Mbuf } from '../mbuf/mbuf.js';
import { M_BCAST, M_MCAST, M_PKTHDR } from '../mbuf/flags.js';
import { assertOwnMbuf, hostOwnsChain, hostOwnsMbuf } from '../mbuf/ownership.js';
import type { Host } from '../host/host.js';
import type { Continuation } from '../kern/continuation.js';
import type { Cpu } from '../kern/cpu.js';
import type { InterruptSource } from '../kern/interrupt-controller.js';
import { faultResetContinuation, recordFault } from './fault.js';
import { LAYER_IF_INPUT } from '../kern/cost-layers.js';
import { type IfCounters, countDrop, newCounters, snapshotCounters } from './if-counters.js';
import type { Coalescing } from './coalesce.js';
import type { LinkLayer } from './link-layer.js';
import { PollContext, type PollContextOptions, type PollOps } from './poll-context.js';
import { FifoSendQueue, type SendQueue } from './send-queue.js';

// What if_input uses per packet, as this module's own constants: V8 folds a module's own `const` into the
// code it compiles, but reads an imported binding from its cell with a hole (TDZ) check at every use.
const IF_INPUT = LAYER_IF_INPUT;
const PKTHDR = M_PKTHDR;
const BCAST_OR_MCAST = M_BCAST | M_MCAST;

/** Interface flags (`IFF_*`). */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_RUNNING = 0x40;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_OACTIVE = 0x400;
export const IFF_MULTICAST = 0x8000;
// What `if_output` and `if_transmit` use per packet, bound the same way (an exported `const` is read
// through its cell even in this module; an imported function with a target compare at each call site).
const OACTIVE = IFF_OACTIVE;
const ownsChain = hostOwnsChain;

export type LinkState = 'unknown' | 'up' | 'down';

/**
 * What the driver supplies for its interface (the `if_init`, `if_stop`, `if_start`, `if_ioctl`,
 * `if_watchdog` function pointers of `struct ifnet`). Only `init`, `stop` and `start` are required.
 */
export interface IfnetDriverOps {
  /** `if_init`: bring the hardware up (rings, receive enable, interrupts). Allocation allowed. */
  init(ifp: Ifnet): void;
  /** `if_stop`: quiesce the hardware (no more interrupts, DMA stopped). */
  stop(ifp: Ifnet): void;
  /** `if_start`: move packets from `ifp.sendQueue` onto the hardware until it is full. */
  start(ifp: Ifnet): void;
  /** Apply `ifp.flags & IFF_PROMISC` / `IFF_ALLMULTI` to the receive filter. */
  updateFilter?(ifp: Ifnet): void;
  /** Validate and apply a new MTU. Return false to refuse it. */
  setMtu?(ifp: Ifnet, mtu: number): boolean;
  /** Program a new link address into the hardware. */
  setLinkAddress?(ifp: Ifnet, addr: Uint8Array): void;
  /** `if_watchdog`: called when the transmit timer expires (a stuck transmitter). */
  watchdog?(ifp: Ifnet): void;
}

/** What an input hook decides for a packet (the ALTQ/filter slot of seed 000's `if_input`). */
export const INPUT_PASS = 0;
/** The hook took ownership of the packet (queued or redirected it). */
export const INPUT_CONSUMED = 1;
/** Drop the packet (counted as `input.filter`). */
export const INPUT_DROP = 2;
export type InputVerdict = typeof INPUT_PASS | typeof INPUT_CONSUMED | typeof INPUT_DROP;

/** Optional processing before protocol dispatch: a packet filter, a tap, a classifier. Must not allocate. */
export type InputHook = (ifp: Ifnet, m: Mbuf) => InputVerdict;

/** What a driver asks for when it attaches an interface. */
export interface IfnetAttachOptions {
  /** Driver name without unit, e.g. `wm`; the host assigns the unit (`wm0`, `wm1`, ...). */
  name: string;
  /** A specific unit number instead of the next free one (`if_initname(ifp, name, unit)`). */
  unit?: number;
  /**
   * The full interface name when it is not `<name><unit>` (e.g. FreeBSD's `epair0a`). Must be unique on
   * the host.
   */
  ifname?: string;
  /** `IFT_*` type; selects the link layer. */
  ifType: number;
  ops: IfnetDriverOps;
  /** Link address (MAC); copied. */
  lladdr?: Uint8Array;
  mtu?: number;
  /** Largest MTU the hardware accepts. Default: `mtu`. */
  maxMtu?: number;
  flags?: number;
  /** Send queue length (`IFQ_MAXLEN`). */
  sendQueueLength?: number;
  /** Nominal bit rate (`if_baudrate`). */
  baudrate?: number;
  /** Driver private data (`ifp->if_softc`). */
  softc?: unknown;
  /**
   * The device's interrupt lines (`aa.irqs`). Filled in automatically for interfaces created while
   * `host.autoconf()` attaches a driver; a driver attached by hand passes them here.
   */
  lines?: readonly InterruptSource[];
}

/**
 * A network interface (`struct ifnet`). The driver creates it through `host.ifAttach(...)`, the host
 * finds its link layer, and from then on the interface is the meeting point of driver, framework and
 * protocols:
 *
 * - receive: the driver's poll hands each packet to {@link input} (`if_input`), which runs the optional
 *   hook and dispatches straight to the protocol by table lookup — no input queue.
 * - transmit: protocols call {@link output} (`if_output`: link framing), which ends in {@link transmit}
 *   (enqueue on the send queue, then `if_start`).
 * - interrupts: per-queue {@link PollContext}s; {@link defer} is seed 000's `<iftype>_defer(ifp)`.
 */
export class Ifnet {
  /** `if_index`, 1-based, unique within the host. */
  readonly index: number;
  /** Full name, e.g. `wm0`. */
  readonly name: string;
  readonly unit: number;
  readonly ifType: number;
  flags: number;
  mtu: number;
  readonly maxMtu: number;
  /** Link address (6 bytes for Ethernet, empty for loopback). */
  lladdr: Uint8Array;
  linkState: LinkState = 'unknown';
  baudrate: number;
  readonly counters: IfCounters = newCounters();
  /** Multicast link addresses joined (as lowercase hex strings), for the receive filter. */
  readonly multicast = new Set<string>();
  sendQueue: SendQueue;
  inputHook: InputHook | undefined = undefined;
  readonly pollContexts: PollContext[] = [];
  readonly ops: IfnetDriverOps;
  /** `if_softc`. */
  softc: unknown;
  /** Transmit watchdog countdown in seconds (`if_timer`); 0 = off. The host ticks it once a second. */
  watchdogTimer = 0;
  /** Per-protocol attachment data (`if_afdata`): e.g. `afdata.inet` for IPv4 addresses. */
  readonly afdata: Record<string, unknown> = {};
  /**
   * @internal The same per-protocol data by `IfnetState` slot number: an indexed load on the data paths,
   * where `afdata[key]` with a key that varies by protocol is a megamorphic keyed lookup.
   */
  readonly afslots: unknown[] = [];
  /**
   * Interrupt lines of the device this interface was attached for (set by `host.autoconf` / driver
   * attach; empty for software interfaces). Used to find a poll context's line and to contain faults.
   */
  deviceLines: readonly InterruptSource[] = [];
  /** Listeners for link state changes (routing socket messages in BSD). */
  private readonly linkListeners: ((ifp: Ifnet, state: LinkState) => void)[] = [];

  constructor(
    readonly host: Host,
    readonly link: LinkLayer,
    index: number,
    unit: number,
    options: IfnetAttachOptions,
  ) {
    this.index = index;
    this.unit = unit;
    this.name = options.ifname ?? `${options.name}${unit}`;
    this.ifType = options.ifType;
    this.ops = options.ops;
    this.flags = options.flags ?? 0;
    this.mtu = options.mtu ?? 1500;
    this.maxMtu = options.maxMtu ?? this.mtu;
    if (this.mtu >>> 0 !== this.mtu || this.maxMtu >>> 0 !== this.maxMtu || this.mtu > this.maxMtu) {
      throw new RangeError(`${this.name}: mtu ${this.mtu} / maxMtu ${this.maxMtu} must be integers, mtu <= maxMtu`);
    }
    this.lladdr = new Uint8Array(options.lladdr ?? new Uint8Array(link.addrlen));
    this.baudrate = options.baudrate ?? 0;
    this.sendQueue = new FifoSendQueue(options.sendQueueLength);
    this.softc = options.softc;
  }

  get up(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  get running(): boolean {
    return (this.flags & IFF_RUNNING) !== 0;
  }

  /**
   * Adds a poll context (one per receive queue; seed 003). Contexts start disabled and are enabled when
   * the interface comes up.
   */
  addPollContext(options: PollContextOptions): PollContext {
    const ctx = new PollContext(this, this.pollContexts.length, options);
    this.pollContexts.push(ctx);
    for (let i = 0; i < this.inputHolds; i++) ctx.hold();
    if (this.up) ctx.enable();
    return ctx;
  }

  /** Input holds in force on this interface ({@link holdInput}). */
  private inputHolds = 0;

  /**
   * Mogul & Ramakrishnan's feedback from a full queue to input processing, per interface: a consumer
   * (a socket whose receive queue filled with datagrams from this interface) stops the interface's poll
   * contexts ({@link PollContext.hold}) so the CPU stops working on packets that would be dropped there;
   * the NIC drops the excess instead, for free. Call {@link releaseInput} once per hold when the queue has
   * drained. Holds nest (several sockets may hold one interface). Allocates nothing.
   */
  holdInput(): void {
    this.inputHolds++;
    this.counters.inputHolds++;
    for (const ctx of this.pollContexts) ctx.hold();
  }

  /** Releases one {@link holdInput}; parked poll contexts resume when no hold is left. */
  releaseInput(): void {
    if (this.inputHolds === 0) return;
    this.inputHolds--;
    for (const ctx of this.pollContexts) ctx.release();
  }

  /** Whether a {@link holdInput} is in force. */
  get inputHeld(): boolean {
    return this.inputHolds > 0;
  }

  /**
   * `ETHTOOL_GCOALESCE` / `SIOCGIFCOALESCE`: the receive coalescing of poll context `queue` (default 0,
   * the interface's first queue). Throws a RangeError for a queue the interface does not have.
   */
  getCoalescing(queue = 0): Coalescing {
    return this.queueContext(queue).coalescing;
  }

  /**
   * `ETHTOOL_SCOALESCE` / `SIOCSIFCOALESCE` (`ethtool -C <if> rx-usecs N rx-frames N`): sets receive
   * coalescing on every poll context, or only on `queue` (Linux's per-queue `--per-queue queue_mask`).
   * Each context applies it through its driver or emulates it (`coalesce.ts` says the rule). A value
   * refused by one context throws its RangeError; contexts before it keep the new setting.
   */
  setCoalescing(want: Partial<Coalescing>, queue?: number): void {
    if (queue !== undefined) {
      this.queueContext(queue).setCoalescing(want);
      return;
    }
    for (const ctx of this.pollContexts) ctx.setCoalescing(want);
  }

  private queueContext(queue: number): PollContext {
    const ctx = this.pollContexts[queue];
    if (ctx === undefined) throw new RangeError(`${this.name}: no queue ${queue} (${this.pollContexts.length} queues)`);
    return ctx;
  }

  /**
   * Removes a poll context (Linux `netif_napi_del`): a multi-queue driver that changes its queue count
   * at run time drops the contexts of the queues it no longer uses. The context must be disabled (the
   * interface down, or {@link PollContext.disable} completed): removing one that may still run is a
   * driver bug and throws.
   */
  removePollContext(ctx: PollContext): void {
    const i = this.pollContexts.indexOf(ctx);
    if (i < 0) throw new Error(`${this.name}: ${ctx.name} is not one of this interface's poll contexts`);
    if (ctx.state !== 'disabled') throw new Error(`${this.name}: ${ctx.name} removed while ${ctx.state}`);
    ctx.releaseResources();
    this.pollContexts.splice(i, 1);
  }

  /**
   * Seed 000's single-queue form: the driver supplies `if_poll(ifp)` returning true to be run again
   * immediately, false when done. It is the one-context case of the same mechanism: `true` counts as a
   * full budget (poll again), `false` as a completed round.
   */
  setIfPoll(
    ifPoll: (ifp: Ifnet) => boolean,
    intr: Omit<PollOps, 'poll'>,
    options: Omit<PollContextOptions, 'ops'> = {},
  ): PollContext {
    return this.addPollContext({
      ...options,
      ops: {
        poll: (ctx, budget) => (ifPoll(ctx.ifp) ? budget : 0),
        intrEnable: intr.intrEnable,
        intrDisable: intr.intrDisable,
        workPending: intr.workPending,
      },
    });
  }

  /**
   * `<iftype>_defer(ifp)`: called from the interrupt routine; defers the work to the interface's (first)
   * poll context continuation. Multi-queue drivers call `ctx.defer()` on the queue that interrupted.
   */
  defer(): void {
    const ctx = this.pollContexts[0];
    if (ctx === undefined) throw new Error(`${this.name}: defer() without a poll context`);
    ctx.defer();
  }

  /**
   * `if_input`: the driver hands up one received packet (`m` with a packet header). Runs the optional
   * hook, then the link layer decodes the header and dispatches by table lookup straight to the
   * protocol's input. Owns `m`. Ends with a preemption point, so a long poll loop can be interrupted
   * between packets.
   *
   * The chain is checked first, in one walk: an mbuf of another host's pool or a free one throws
   * `MbufError` (a driver bug; the caller keeps `m`); lengths that do not fit their storage, or a
   * `pkthdr.len` that disagrees with the chain (a driver that trusted a length the device wrote back), are
   * a counted drop, `input.badlen`, so no protocol ever reads past a buffer.
   */
  input(m: Mbuf): void {
    const cpu = this.host.cpu;
    cpu.chargeLayerId(IF_INPUT);
    this.inputCharged(m, cpu);
  }

  /**
   * {@link input} with the driver's own per-packet charge folded in: charges layer `driverLayer`, then
   * `ifInput`, in one `chargeLayerIds2` — the same two additions in the same order as the driver's
   * `chargeLayerId(driverLayer)` followed by `input(m)`, so every tally comes out bit for bit the same.
   * For a receive loop that reads no clock between its per-packet charge and the hand-up (`wm_rxeof`):
   * the CPU's tally is looked up once instead of twice per packet.
   */
  inputCharging(m: Mbuf, driverLayer: number): void {
    const cpu = this.host.cpu;
    cpu.chargeLayerIds2(driverLayer, IF_INPUT);
    this.inputCharged(m, cpu);
  }

  /** {@link input} after its charge: the checks, the hand-up to the link layer, the preemption point. */
  private inputCharged(m: Mbuf, cpu: Cpu): void {
    // Small on purpose (the rare paths are out of line): V8 inlines it, with the preemption point, into
    // the driver's receive loop only while the loop's inlining budget lasts.
    if (this.inputSane(m)) {
      const c = this.counters;
      const h = m.pkthdr;
      c.ipackets++;
      c.ibytes += h.len;
      if ((m.flags & BCAST_OR_MCAST) !== 0) c.imcasts++;
      // Stored only when it changes: a receive cache's buffer keeps the interface it last came in on
      // (`RxBufferCache.get`), and storing a pointer is a GC write barrier — a call into V8 per packet
      // when the header is in the old generation and the interface still in the young one.
      if (h.rcvif !== this) h.rcvif = this;
      if (this.inputHook === undefined || this.inputHookPasses(m)) this.link.input(this, m);
    } else this.dropInput(m, 'input.badlen');
    cpu.preempt();
  }

  /**
   * Runs the {@link inputHook} on `m`: true when the packet goes on to the link layer; false when the
   * hook consumed it or said to drop it (freed here, counted `input.filter`).
   */
  private inputHookPasses(m: Mbuf): boolean {
    const verdict = this.inputHook!(this, m);
    if (verdict === INPUT_CONSUMED) return false;
    if (verdict === INPUT_DROP) {
      this.dropInput(m, 'input.filter');
      return false;
    }
    return true;
  }

  /**
   * The cheap M_SANITY of `if_input`: ownership (throws), then lengths against storage (false). Ownership
   * is one compare with the pool last found to belong to this host (`Host.ownedPool`, the one-entry cache
   * the output boundaries' `hostOwnsChain` keeps too): a pool's owner never changes (its DMA space and the
   * host's are fixed at creation), and drivers hand up mbufs of one receive pool, packet after packet.
   */
  private inputSane(m: Mbuf): boolean {
    const host = this.host;
    let total = 0;
    let bad = (m.flags & PKTHDR) === 0;
    for (let x: Mbuf | null = m; x !== null; x = x.next) {
      // `=== true`: a bare `x.isFree` on an untyped boolean field is a full ToBoolean in V8 (per mbuf).
      if (x.pool !== host.ownedPool || x.isFree === true) this.checkInputOwner(m, x);
      const len = x.len;
      const off = x.off;
      if (len >>> 0 !== len || off >>> 0 !== off || off + len > x.capacity) bad = true;
      total += len;
    }
    return !bad && total === m.pkthdr.len;
  }

  /**
   * The ownership check of {@link inputSane} for mbuf `x` of chain `m` when the one compare did not settle
   * it: a live mbuf of this host's memory (`hostOwnsMbuf`) makes its pool the host's `ownedPool`; another
   * host's or a free one throws `MbufError` (`assertOwnMbuf`), and the caller keeps `m`.
   */
  private checkInputOwner(m: Mbuf, x: Mbuf): void {
    if (!x.isFree && hostOwnsMbuf(this.host, x)) this.host.ownedPool = x.pool;
    else assertOwnMbuf(this.host, m, `${this.name}: if_input`);
  }

  /** Frees a received packet and counts the drop under `reason` (and `iqdrops`). */
  dropInput(m: Mbuf, reason: string): void {
    this.countInputDrop(reason);
    m.pool.freem(m);
  }

  /**
   * Counts an input drop whose mbuf is already gone (freed by a failed `m_pullup`, or never allocated):
   * `iqdrops` and the named reason.
   */
  countInputDrop(reason: string): void {
    this.counters.iqdrops++;
    countDrop(this.counters, reason);
  }

  /** Counts an output drop without an mbuf to free (`oqdrops` and the named reason). */
  countOutputDrop(reason: string): void {
    this.counters.oqdrops++;
    countDrop(this.counters, reason);
  }

  /** Counts a received packet for an unknown protocol and frees it. */
  noProto(m: Mbuf, reason = 'noproto'): void {
    this.counters.noproto++;
    countDrop(this.counters, reason);
    m.pool.freem(m);
  }

  /** Frees an outgoing packet and counts the drop under `reason` (and `oqdrops`). */
  dropOutput(m: Mbuf, reason: string): void {
    this.countOutputDrop(reason);
    m.pool.freem(m);
  }

  /** Counts a drop that involves no mbuf (e.g. a device-side miss reported by the driver). */
  countDrop(reason: string, n = 1): void {
    if (n >>> 0 !== n) throw new RangeError(`${this.name}: countDrop('${reason}', ${n}): n must be an integer >= 0`);
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + n;
  }

  /**
   * `if_output`: frame `m` (payload of protocol `proto`, an ethertype) for next hop `dst` through the
   * link layer. Owns `m`. Returns false if it was dropped (counted).
   *
   * An mbuf of another host's pool (or a free one) anywhere in the chain throws `MbufError`
   * before anything is taken: the caller still owns `m` (see `assertOwnMbuf`).
   */
  output(m: Mbuf, proto: number, dst: unknown): boolean {
    if (!ownsChain(this.host, m)) assertOwnMbuf(this.host, m, `${this.name}: if_output`);
    if (!this.up) {
      this.dropOutput(m, 'output.down');
      return false;
    }
    return this.link.output(this, m, proto, dst);
  }

  /**
   * `if_transmit`: queue a fully framed packet on the send queue and start the driver. Owns `m`. Returns
   * false if the queue refused it (counted as `snd.full`). A foreign or free mbuf throws
   * `MbufError` as in {@link output}.
   */
  transmit(m: Mbuf): boolean {
    if (!ownsChain(this.host, m)) assertOwnMbuf(this.host, m, `${this.name}: if_transmit`);
    if (!this.running) {
      this.dropOutput(m, 'output.notrunning');
      return false;
    }
    if (!this.sendQueue.enqueue(this, m)) {
      this.dropOutput(m, 'snd.full');
      return false;
    }
    if ((this.flags & OACTIVE) === 0) this.ops.start(this);
    return true;
  }

  /** Where and what the last contained driver fault was (see `net/fault.ts`), undefined if none. */
  lastFault: string | undefined = undefined;
  /** @internal Time of the last reset after a fault (for the hold-down). */
  lastFaultReset = Number.NEGATIVE_INFINITY;
  /** @internal The continuation that resets the interface after a fault taken in interrupt context. */
  private faultKc: Continuation<Ifnet> | undefined = undefined;

  /**
   * @internal A driver's interrupt routine threw (the CPU caught it and masked the line): count it and
   * schedule the reset at softnet (init may allocate; interrupt context may not).
   */
  interruptFault(where: string, err: unknown): void {
    recordFault(this, where, err);
    this.faultKc ??= faultResetContinuation(this);
    this.host.cpu.sched.schedule(this.faultKc);
  }

  /** Set by `host.ifDetach` once detaching has begun: the interface can no longer come up. */
  detaching = false;

  /**
   * `if_up`: marks the interface up, initialises the hardware and enables every poll context. Throws for
   * an interface that is being (or has been) detached.
   */
  upIf(): void {
    if (this.detaching) throw new Error(`${this.name}: upIf() on an interface being detached`);
    if (this.up) return;
    this.flags |= IFF_UP;
    this.ops.init(this);
    this.flags |= IFF_RUNNING;
    for (const ctx of this.pollContexts) ctx.enable();
    this.host.ifStateChanged(this);
  }

  /**
   * `if_down` / close: stops the hardware, disables every poll context and waits for a running poll to
   * finish (seed 003: the close handler shuts down all NAPI instances). Queued output is freed. Resolves
   * when every context is disabled.
   */
  down(): Promise<void> {
    return this.bringDown(false);
  }

  /**
   * @internal Down after a failed fault reset: as {@link down}, but a throwing `stop` is ignored (the
   * driver is already known to be broken).
   */
  forceDown(): Promise<void> {
    return this.bringDown(true);
  }

  private bringDown(ignoreStopError: boolean): Promise<void> {
    if (!this.up) return Promise.resolve();
    this.flags &= ~(IFF_UP | IFF_RUNNING | IFF_OACTIVE);
    if (!ignoreStopError) this.ops.stop(this);
    else {
      try {
        this.ops.stop(this);
      } catch {
        // Already counted as a fault; the interface is going down either way.
      }
    }
    this.sendQueue.purge();
    this.watchdogTimer = 0;
    const waits: Promise<void>[] = [];
    for (const ctx of this.pollContexts) {
      waits.push(new Promise<void>((resolve) => ctx.disable(resolve)));
    }
    this.host.ifStateChanged(this);
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * @internal The end of `if_detach`, once the interface is down and the protocols have forgotten it:
   * drops every reference core holds for it (poll contexts and their continuations, send queue, input
   * hook, link-state listeners, multicast memberships, watchdog, device interrupt lines).
   */
  teardown(): void {
    const sched = this.host.cpu.sched;
    for (const ctx of this.pollContexts) {
      ctx.disable();
      sched.cancel(ctx.kc);
      ctx.releaseResources();
    }
    this.pollContexts.length = 0;
    this.sendQueue.purge();
    this.inputHook = undefined;
    this.linkListeners.length = 0;
    this.multicast.clear();
    this.watchdogTimer = 0;
    this.deviceLines = [];
    if (this.faultKc !== undefined) sched.cancel(this.faultKc);
  }

  /** Sets or clears promiscuous mode (`IFF_PROMISC`) and tells the driver. */
  setPromiscuous(on: boolean): void {
    this.flags = on ? this.flags | IFF_PROMISC : this.flags & ~IFF_PROMISC;
    this.ops.updateFilter?.(this);
  }

  /** Changes the MTU (`SIOCSIFMTU`). Throws RangeError for a value the hardware refuses. */
  setMtu(mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > this.maxMtu) {
      throw new RangeError(`${this.name}: MTU ${mtu} outside 68..${this.maxMtu}`);
    }
    if (this.ops.setMtu !== undefined && !this.ops.setMtu(this, mtu)) {
      throw new RangeError(`${this.name}: driver refused MTU ${mtu}`);
    }
    this.mtu = mtu;
  }

  /** Changes the link address (`SIOCSIFLLADDR`). */
  setLinkAddress(addr: Uint8Array): void {
    if (addr.length !== this.link.addrlen) {
      throw new RangeError(`${this.name}: link address must be ${this.link.addrlen} bytes`);
    }
    this.lladdr = new Uint8Array(addr);
    this.ops.setLinkAddress?.(this, this.lladdr);
  }

  /** Joins a link-layer multicast group (`SIOCADDMULTI`) and updates the hardware filter. */
  joinMulticast(addr: Uint8Array): void {
    this.multicast.add(hex(addr));
    this.ops.updateFilter?.(this);
  }

  /** Leaves a link-layer multicast group (`SIOCDELMULTI`). */
  leaveMulticast(addr: Uint8Array): void {
    this.multicast.delete(hex(addr));
    this.ops.updateFilter?.(this);
  }

  /** Whether `addr[off..off+addrlen)` is a joined multicast group. Allocates only for multicast frames. */
  inMulticast(addr: Uint8Array, off: number): boolean {
    if (this.multicast.size === 0) return false;
    return this.multicast.has(hex(addr.subarray(off, off + this.link.addrlen)));
  }

  /** The driver reports a link state change (`if_link_state_change`). */
  setLinkState(state: LinkState): void {
    if (state === this.linkState) return;
    this.linkState = state;
    for (const l of this.linkListeners) l(this, state);
  }

  /** Subscribes to link state changes. */
  onLinkState(listener: (ifp: Ifnet, state: LinkState) => void): void {
    this.linkListeners.push(listener);
  }

  /** A plain snapshot for printing or serialising: `netstat -i` plus our counters. */
  snapshot(): {
    name: string;
    flags: number;
    mtu: number;
    linkState: LinkState;
    lladdr: string;
    counters: IfCounters;
    pollContexts: Record<string, unknown>[];
  } {
    return {
      name: this.name,
      flags: this.flags,
      mtu: this.mtu,
      linkState: this.linkState,
      lladdr: formatLinkAddress(this.lladdr),
      counters: snapshotCounters(this.counters),
      pollContexts: this.pollContexts.map((c) => c.snapshot()),
    };
  }
}

function hex(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += (a[i] < 16 ? '0' : '') + a[i].toString(16);
  return s;
}

/** `aa:bb:cc:dd:ee:ff` */
export function formatLinkAddress(a: Uint8Array): string {
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Parses `aa:bb:cc:dd:ee:ff` (or `-`-separated) into 6 bytes, the inverse of {@link formatLinkAddress}
 * (device models take their "EEPROM" address this way). Throws RangeError on anything else.
 */
export function parseLinkAddress(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${JSON.stringify(s)}`);
  }
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}
