import { Continuation, type Host, IPL_SOFTNET, type InjectionToken } from '@ifnet/core';
import { CRYPTO_ACCEPTED, CRYPTO_ERESTART, type CryptoDriver } from './driver.js';
import { CRYPTO_EINVAL, type CryptoRequest } from './request.js';
import { type CryptoAlgorithm, CryptoSession } from './session.js';
import { CryptoSoft } from './cryptosoft.js';

/** DI token of a host's framework (one per host container; see {@link cryptoFramework}). */
export const CRYPTO_FRAMEWORK: InjectionToken<CryptoFramework> = Symbol.for('@ifnet/crypto:FRAMEWORK');

/** `crypto_dispatch` result: refused because the blocked queue is at its bound (a counted drop for the caller). */
export const CRYPTO_EQFULL = 105;

export interface CryptoFrameworkOptions {
  /** Bound of the queue of requests waiting for a blocked driver (OCF `crp_q`). Default 256. */
  queueLimit?: number;
}

export interface CryptoStats {
  dispatched: number;
  completed: number;
  /** Requests a driver refused with ERESTART and the framework queued. */
  blocked: number;
  /** Queued requests handed to the driver again after `unblock`. */
  resubmitted: number;
  /** Dispatches refused because the blocked queue was full. */
  qfull: number;
  /** Dispatches refused as malformed (no session, freed session). */
  invalid: number;
}

/**
 * The OCF-like framework (opencrypto's `crypto.c`): sessions bound to a driver, `dispatch` that hands a
 * request to it, back-pressure when the driver's queue is full, and `done`, which schedules the request's
 * completion continuation — from the card's interrupt handler that is a queue insertion, no thread, no
 * switch, no allocation (the point of seed 002).
 *
 * Back-pressure: a driver returning {@link CRYPTO_ERESTART} keeps nothing; the framework parks the request
 * on a bounded intrusive FIFO and stops feeding that driver until it calls {@link unblock}
 * (`crypto_unblock`), which schedules a softnet continuation that resubmits in order.
 */
export class CryptoFramework {
  readonly drivers: CryptoDriver[] = [];
  readonly soft: CryptoSoft;
  readonly stats: CryptoStats = { dispatched: 0, completed: 0, blocked: 0, resubmitted: 0, qfull: 0, invalid: 0 };
  readonly queueLimit: number;
  private qHead: CryptoRequest<any> | null = null;
  private qTail: CryptoRequest<any> | null = null;
  /** Requests waiting in the blocked queue. */
  queued = 0;
  private readonly blockedDrivers = new Set<CryptoDriver>();
  private readonly retry: Continuation<CryptoFramework>;
  private nextSid = 1;

  constructor(
    readonly host: Host,
    options: CryptoFrameworkOptions = {},
  ) {
    this.queueLimit = options.queueLimit ?? 256;
    this.soft = new CryptoSoft(this);
    this.drivers.push(this.soft);
    this.retry = new Continuation(
      'crypto_unblock',
      IPL_SOFTNET,
      (fw: CryptoFramework) => fw.drain(),
      this as CryptoFramework,
    );
  }

  /** `crypto_register`: adds a driver; sessions created afterwards prefer hardware. */
  register(driver: CryptoDriver): void {
    if (!this.drivers.includes(driver)) this.drivers.push(driver);
  }

  /** Removes a driver (detach). Its sessions keep working only for requests already accepted. */
  unregister(driver: CryptoDriver): void {
    const i = this.drivers.indexOf(driver);
    if (i >= 0 && driver !== this.soft) this.drivers.splice(i, 1);
    this.blockedDrivers.delete(driver);
  }

  /**
   * `crypto_newsession`: binds a key to the best driver for it (hardware if any supports it, else
   * `cryptosoft`). `soft` forces the software driver. Throws on an unsupported key length.
   */
  newSession(alg: CryptoAlgorithm, key: Uint8Array, options: { soft?: boolean } = {}): CryptoSession {
    let chosen: CryptoDriver | undefined;
    if (options.soft !== true) chosen = this.drivers.find((d) => d.hardware && d.supports(alg, key.length));
    chosen ??= this.drivers.find((d) => d.supports(alg, key.length));
    if (chosen === undefined) throw new RangeError(`crypto: no driver for ${alg} with a ${key.length}-byte key`);
    return new CryptoSession(this.nextSid++, alg, key.slice(), chosen);
  }

  /** `crypto_freesession`: requests in flight still complete; new dispatches are refused. */
  freeSession(s: CryptoSession): void {
    s.live = false;
  }

  /**
   * `crypto_dispatch`: 0 when the request is accepted (it comes back through its `done` continuation,
   * possibly after waiting in the blocked queue); {@link CRYPTO_EQFULL} or {@link CRYPTO_EINVAL} when it is
   * refused, in which case the caller still owns it and must count the drop.
   */
  dispatch(crp: CryptoRequest<any>): number {
    const s = crp.session;
    if (s === null || !s.live || crp.inFlight) {
      this.stats.invalid++;
      return CRYPTO_EINVAL;
    }
    const driver = s.driver;
    // Behind anything already parked, to keep submission order.
    if (this.queued > 0 || this.blockedDrivers.has(driver)) return this.enqueue(crp);
    crp.inFlight = true;
    this.stats.dispatched++;
    if (driver.process(crp) === CRYPTO_ACCEPTED) return 0;
    crp.inFlight = false;
    this.stats.dispatched--;
    this.blockedDrivers.add(driver);
    return this.enqueue(crp);
  }

  /**
   * `crypto_done`: the driver is finished with `crp` (its `etype` set). Schedules the completion
   * continuation; safe (and allocation-free) from a hard interrupt handler.
   */
  done(crp: CryptoRequest<any>): void {
    this.stats.completed++;
    crp.inFlight = false;
    this.host.cpu.sched.schedule(crp.done);
  }

  /** `crypto_unblock`: the driver has room again; resubmission runs at softnet. */
  unblock(driver: CryptoDriver): void {
    this.blockedDrivers.delete(driver);
    if (this.queued > 0) this.host.cpu.sched.schedule(this.retry);
  }

  private enqueue(crp: CryptoRequest<any>): number {
    if (this.queued >= this.queueLimit) {
      this.stats.qfull++;
      return CRYPTO_EQFULL;
    }
    crp.inFlight = true;
    crp.next = null;
    if (this.qTail === null) this.qHead = crp;
    else this.qTail.next = crp;
    this.qTail = crp;
    this.queued++;
    this.stats.blocked++;
    return 0;
  }

  /** Resubmits parked requests in FIFO order until a driver blocks again. */
  private drain(): void {
    let crp = this.qHead;
    while (crp !== null) {
      const driver = (crp.session as CryptoSession).driver;
      if (this.blockedDrivers.has(driver)) break;
      if (driver.process(crp) !== CRYPTO_ACCEPTED) {
        this.blockedDrivers.add(driver);
        break;
      }
      this.stats.dispatched++;
      this.stats.resubmitted++;
      const next: CryptoRequest<any> | null = crp.next;
      crp.next = null;
      this.queued--;
      crp = next;
    }
    this.qHead = crp;
    if (crp === null) this.qTail = null;
  }
}

/** The host's framework, created and registered in its DI container on first use. */
export function cryptoFramework(host: Host, options?: CryptoFrameworkOptions): CryptoFramework {
  const c = host.container;
  if (c.isRegistered(CRYPTO_FRAMEWORK, false)) return c.resolve(CRYPTO_FRAMEWORK);
  const fw = new CryptoFramework(host, options);
  c.register(CRYPTO_FRAMEWORK, { useValue: fw });
  return fw;
}

export { CRYPTO_ERESTART };
