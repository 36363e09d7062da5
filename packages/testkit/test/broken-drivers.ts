/**
 * Deliberately broken drivers: the example vnic driver with one contract rule broken each. Each must fail
 * the kit with the rule it breaks. (The vnic is imported from `examples/` by path, not as a package: it
 * depends on the kit for its own tests, and a package cycle would break the workspace's task graph.)
 */
import {
  type AttachArgs,
  type DeviceIdent,
  type DriverDescriptor,
  HOST,
  type Host,
  inject,
  injectable,
} from '@ifnet/core';
import type { DriverSubject } from '../src/index.js';
import { VnicDevice, VnicDriver, vnicMatch } from '../../../examples/vnic/src/index.js';

/** Allocates an mbuf in its interrupt routine (breaks rule 4). */
@injectable()
export class AllocatesInInterrupt extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override intr(): boolean {
    const m = this.host.pool.gethdr();
    if (m !== null) m.pool.freem(m);
    return super.intr();
  }
}

/** Its intrEnable does nothing: after the first poll round the device stays masked for ever. */
@injectable()
export class NeverUnmasks extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override intrEnable(): void {}
}

/**
 * Claims to map coalescing onto its hardware (`PollOps.setCoalescing`) but programs nothing: the setting
 * reads back and has no effect.
 */
@injectable()
export class IgnoresCoalescing extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override attach(aa: AttachArgs): void {
    super.attach(aa);
    const { name, capacity } = this.ctx;
    this.ifp.removePollContext(this.ctx);
    this.ctx = this.ifp.addPollContext({
      name,
      capacity,
      maskOnDefer: true,
      ops: {
        poll: (_ctx, budget) => this.poll(budget),
        intrEnable: () => this.intrEnable(),
        intrDisable: () => this.intrDisable(),
        workPending: () => this.workPending(),
        setCoalescing: () => {},
      },
    });
    this.ctx.softc = this;
  }
}

/** Drains the whole ring whatever the budget. */
@injectable()
export class IgnoresBudget extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override poll(_budget: number): number {
    return super.poll(1 << 30);
  }
}

/** Forgets its receive buffers in if_stop instead of freeing them. */
@injectable()
export class LeaksMbufs extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override stop(): void {
    this.rxMbuf.fill(null);
    super.stop();
  }
}

/** Throws on its third poll (a bug a driver author would ship). */
@injectable()
export class ThrowsInPoll extends VnicDriver {
  private polls = 0;
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override poll(budget: number): number {
    if (++this.polls === 3) throw new TypeError("Cannot read properties of null (reading 'len')");
    return super.poll(budget);
  }
}

/** Throws from its interrupt routine on the fifth interrupt. */
@injectable()
export class ThrowsInInterrupt extends VnicDriver {
  private interrupts = 0;
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override intr(): boolean {
    if (++this.interrupts === 5) throw new RangeError('ring index 256 out of range');
    return super.intr();
  }
}

/** Peeks at the device model's counters instead of reading its registers. */
@injectable()
export class TouchesModel extends VnicDriver {
  constructor(@inject(HOST) host: Host) {
    super(host);
  }
  override intr(): boolean {
    const dev = this.host.devices.find((d) => d.driver === this)?.model as VnicDevice | undefined;
    if (dev !== undefined && dev.stats.rxFrames === 0) return false;
    return super.intr();
  }
}

/** A subject for `driver` on the vnic hardware. */
export function subjectFor(driver: typeof VnicDriver): DriverSubject {
  const descriptor: DriverDescriptor = {
    name: 'vnic',
    match: (ident: DeviceIdent) => vnicMatch(ident),
    driver,
  };
  return {
    register: (platform) => platform.registerDriver(descriptor),
    createDevice: (mac) => new VnicDevice({ mac }),
    driverName: 'vnic',
    deviceClass: 'dma',
  };
}
