/**
 * A deliberately small but real device model and driver for testing the framework: the "toy NIC".
 *
 * Hardware (register window of 32 bytes):
 *   0x00 ICR   read: pending causes, and clears them (deasserts the line); bit 0 = RX
 *   0x04 IMS   write 1s: enable causes; read: mask
 *   0x08 IMC   write 1s: disable causes
 *   0x0C RXQ   read: frames waiting in the device FIFO
 *   0x10 RXPOP read: pops one frame, returns its 32-bit tag (0 when empty)
 *   0x14 MODE  bit 0 = "edge" mode: a cause is only latched when a frame arrives while unmasked
 *              (models a device that loses the event if masked — the completion race matters)
 *   0x18 MISSED read: frames dropped because the FIFO was full
 *   0x1C ICS   write 1s: set causes (a software-raised interrupt, as the e1000's ICS)
 * The FIFO holds `fifoSize` frames; an arrival into a full FIFO is dropped and counted (MISSED).
 *
 * Driver: one poll context per device. The interrupt routine reads ICR, returns false if zero (spurious),
 * else defers. The poll pops up to `budget` frames; each becomes an mbuf handed to `ifp.input` (lo-style
 * 4-byte header with ethertype 0x88B5 so it dispatches through `host.ethertypes`).
 */
import {
  type DeviceBusContext,
  type DeviceModel,
  type DeviceRegisters,
  type Host,
  IFT_LOOP,
  IPL_NET,
  type Ifnet,
  type InterruptLine,
  type PollContext,
  type PollContextOptions,
} from '../../src/index.js';

export const ICR = 0x00;
export const IMS = 0x04;
export const IMC = 0x08;
export const RXQ = 0x0c;
export const RXPOP = 0x10;
export const MODE = 0x14;
export const MISSED = 0x18;
export const ICS = 0x1c;
export const CAUSE_RX = 1;
export const TOY_ETHERTYPE = 0x88b5;

export class ToyNicDevice implements DeviceModel, DeviceRegisters {
  readonly model = 'toy-nic';
  readonly ident = { vendor: 0x1234, device: 0x0001, deviceClass: 'network' };
  readonly bars: DeviceRegisters[] = [this];
  readonly interruptVectors = 1;
  /** Names for register traces (`host.traceRegisters`). */
  readonly registerNames = [
    { [ICR]: 'ICR', [IMS]: 'IMS', [IMC]: 'IMC', [RXQ]: 'RXQ', [RXPOP]: 'RXPOP', [MODE]: 'MODE', [MISSED]: 'MISSED' },
  ];
  readonly size = 32;
  private readonly fifo: Uint32Array;
  private head = 0;
  private count = 0;
  icr = 0;
  ims = 0;
  edgeMode = false;
  missed = 0;
  arrived = 0;
  private line: InterruptLine | undefined;
  private clock: DeviceBusContext['clock'] | undefined;
  /** Register-level trace of mask changes: `t=<ns> IMS` / `t=<ns> IMC`. */
  readonly trace: string[] = [];
  /** Record {@link trace} (off for heap tests: a string per mask change is an allocation). */
  traceMasks = true;

  constructor(readonly fifoSize = 256) {
    this.fifo = new Uint32Array(fifoSize);
  }

  connect(ctx: DeviceBusContext): void {
    this.line = ctx.irqs[0];
    this.clock = ctx.clock;
  }

  /** Frames waiting in the FIFO. */
  get queued(): number {
    return this.count;
  }

  /** The wire side: a frame with `tag` arrives. */
  receive(tag: number): void {
    this.arrived++;
    if (this.count === this.fifoSize) {
      this.missed++;
      return;
    }
    this.fifo[(this.head + this.count) % this.fifoSize] = tag;
    this.count++;
    if (!this.edgeMode || (this.ims & CAUSE_RX) !== 0) this.icr |= CAUSE_RX;
    this.update();
  }

  /** Raises a cause with nothing behind it (for spurious-interrupt tests): asserts the line only. */
  glitch(): void {
    this.line?.assert();
  }

  private update(): void {
    if ((this.icr & this.ims) !== 0) this.line?.assert();
    else this.line?.deassert();
  }

  read8(): number {
    return 0;
  }
  read16(): number {
    return 0;
  }
  read32(off: number): number {
    switch (off) {
      case ICR: {
        const v = this.icr;
        this.icr = 0;
        this.line?.deassert();
        return v;
      }
      case IMS:
        return this.ims;
      case RXQ:
        return this.count;
      case RXPOP: {
        if (this.count === 0) return 0;
        const v = this.fifo[this.head];
        this.head = (this.head + 1) % this.fifoSize;
        this.count--;
        return v;
      }
      case MODE:
        return this.edgeMode ? 1 : 0;
      case MISSED:
        return this.missed;
      default:
        return 0;
    }
  }
  write8(): void {}
  write16(): void {}
  write32(off: number, v: number): void {
    switch (off) {
      case IMS:
        if (this.traceMasks) this.trace.push(`t=${this.clock?.now()} IMS`);
        this.ims |= v;
        this.update();
        break;
      case IMC:
        if (this.traceMasks) this.trace.push(`t=${this.clock?.now()} IMC`);
        this.ims &= ~v;
        this.update();
        break;
      case MODE:
        this.edgeMode = (v & 1) !== 0;
        break;
      case ICR:
        this.icr &= ~v;
        this.update();
        break;
      case ICS:
        this.icr |= v;
        this.update();
        break;
    }
  }
}

export interface ToyDriverOptions {
  weight?: number;
  maskOnDefer?: boolean;
  policy?: PollContextOptions['policy'];
  /** Do the seed-000 boolean `if_poll` instead of a work-counting poll. */
  booleanPoll?: boolean;
  /** Hook called inside each poll (before reaping), for tests that act from within a running poll. */
  duringPoll?: (ctx: PollContext) => void;
}

/** The toy driver: attaches an interface for a plugged-in ToyNicDevice (no autoconf needed). */
export class ToyNicDriver {
  readonly ifp: Ifnet;
  readonly ctx: PollContext;
  /** Tags delivered in order. */
  readonly delivered: number[] = [];

  constructor(
    readonly host: Host,
    readonly dev: ToyNicDevice,
    options: ToyDriverOptions = {},
  ) {
    const slot = host.attachDevice(dev);
    const regs = slot.attachArgs.bars[0];
    const line = slot.attachArgs.irqs[0];
    this.ifp = host.ifAttach({
      name: 'toy',
      ifType: IFT_LOOP,
      lines: slot.attachArgs.irqs, // attached by hand, not by autoconf: say which lines are ours
      ops: {
        init: () => regs.write32(IMS, CAUSE_RX),
        stop: () => regs.write32(IMC, 0xffffffff),
        start: () => {},
      },
    });
    const reap = (budget: number): number => {
      let n = 0;
      while (n < budget) {
        const tag = regs.read32(RXPOP);
        if (tag === 0) break;
        n++;
        const m = host.pool.gethdr();
        if (m === null) {
          this.ifp.countDrop('toy.nobufs');
          continue;
        }
        m.len = 8;
        m.pkthdr.len = 8;
        m.view.setUint32(m.off, TOY_ETHERTYPE, false);
        m.view.setUint32(m.off + 4, tag, false);
        this.ifp.input(m);
      }
      return n;
    };
    const intr = {
      intrEnable: () => regs.write32(IMS, CAUSE_RX),
      intrDisable: () => regs.write32(IMC, CAUSE_RX),
      workPending: () => regs.read32(RXQ) > 0,
      intrRetrigger: () => regs.write32(ICS, CAUSE_RX),
    };
    const common = { weight: options.weight, maskOnDefer: options.maskOnDefer, policy: options.policy };
    if (options.booleanPoll) {
      this.ctx = this.ifp.setIfPoll(
        () => {
          options.duringPoll?.(this.ctx);
          const w = this.ctx.weight;
          return reap(w) === w;
        },
        intr,
        common,
      );
    } else {
      this.ctx = this.ifp.addPollContext({
        ...common,
        ops: {
          poll: (ctx, budget) => {
            options.duringPoll?.(ctx);
            return reap(budget);
          },
          ...intr,
        },
      });
    }
    host.cpu.intr.establish(
      line,
      IPL_NET,
      (d: ToyNicDriver) => {
        const icr = regs.read32(ICR);
        if (icr === 0) return false;
        d.ctx.defer();
        return true;
      },
      this,
      `${this.ifp.name} intr`,
    );
    // Deliveries land here through the dispatch table.
    if (host.ethertypes.lookup(TOY_ETHERTYPE) === undefined) {
      host.ethertypes.register(TOY_ETHERTYPE, 'toy', (m, off, ifp) => {
        const drv = (ifp.softc ?? undefined) as ToyNicDriver | undefined;
        drv?.delivered.push(m.view.getUint32(m.off + off, false));
        m.pool.freem(m);
      });
    }
    this.ifp.softc = this;
  }
}
