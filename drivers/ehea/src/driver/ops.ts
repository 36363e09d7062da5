/**
 * The `ehea` driver's operation tables: the interface's (`if_init`, `if_stop`, `if_start`, ...) and one
 * poll-operations object per queue (so a test may wrap one queue's without touching the others).
 *
 * @module
 */
import type { Ifnet, IfnetDriverOps, PollContext, PollOps } from '@ifnet/core';
import type { EheaDriver } from './ehea.js';
import { EHEA_MTU } from './options.js';
import type { EheaQueue } from './queue.js';

/** The interface's driver operations. */
export class EheaIfnetOps implements IfnetDriverOps {
  constructor(private readonly sc: EheaDriver) {}
  init(): void {
    this.sc.init();
  }
  stop(): void {
    this.sc.stop();
  }
  start(): void {
    this.sc.start();
  }
  updateFilter(): void {
    this.sc.updateFilter();
  }
  setMtu(_ifp: Ifnet, mtu: number): boolean {
    return mtu <= EHEA_MTU;
  }
  setLinkAddress(_ifp: Ifnet, addr: Uint8Array): void {
    this.sc.programAddress(addr);
  }
  watchdog(): void {
    this.sc.watchdog();
  }
}

/** The poll operations of one queue (one object per queue, so a test may wrap one queue's). */
export class EheaPollOps implements PollOps {
  constructor(
    private readonly sc: EheaDriver,
    private readonly queue: EheaQueue,
  ) {}
  poll(_ctx: PollContext, budget: number): number {
    return this.sc.poll(this.queue, budget);
  }
  intrEnable(): void {
    this.sc.intrEnable(this.queue);
  }
  intrDisable(): void {
    this.sc.intrDisable(this.queue);
  }
  workPending(): boolean {
    return this.sc.workPending(this.queue);
  }
}
