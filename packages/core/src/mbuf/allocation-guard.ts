/**
 * Enforcement of rule 4 of the contract (seed 000): **no memory allocation in interrupt context**.
 *
 * A BSD kernel finds out the hard way: `m_get(M_WAITOK)` from an interrupt handler sleeps and the
 * machine panics, and `M_NOWAIT` inside the handler quietly moves allocation cost (and failure handling)
 * into the one place that must stay short. Here the CPU model brackets every interrupt handler with
 * {@link AllocationGuard.enterInterrupt} / {@link AllocationGuard.leaveInterrupt}, and every
 * {@link MbufPool} that shares the guard checks it on each allocation. A PIO driver's interrupt routine
 * therefore takes mbufs from a queue it filled earlier (in its poll continuation), never from the pool.
 *
 * Freeing is always allowed: a driver that drops a frame in its interrupt routine must be able to give
 * the mbuf back.
 *
 * @module
 */

/** `'throw'`: a violation throws (tests, development). `'count'`: it is counted and the allocation served. */
export type AllocationGuardMode = 'throw' | 'count';

export interface AllocationGuardOptions {
  /** Default `'throw'`. */
  mode?: AllocationGuardMode;
}

/** Thrown (in `'throw'` mode) when a pool is asked to allocate while an interrupt handler runs. */
export class AllocationInInterruptError extends Error {
  /** Name of the pool that was asked. */
  readonly pool: string;
  /** BSD name of the operation that tried to allocate (`m_gethdr`, `MCLGET`, `m_devget`, `m_prepend`, ...). */
  readonly operation: string;
  /** Interrupt nesting depth at the time. */
  readonly depth: number;

  constructor(pool: string, operation: string, depth: number) {
    super(
      `mbuf pool '${pool}': ${operation} called in interrupt context (nesting depth ${depth}); ` +
        'allocation is forbidden there (seed 000 rule 4): take a pre-allocated mbuf in the interrupt ' +
        'routine and allocate in the poll continuation',
    );
    this.name = 'AllocationInInterruptError';
    this.pool = pool;
    this.operation = operation;
    this.depth = depth;
  }
}

export class AllocationGuard {
  readonly mode: AllocationGuardMode;
  /** Interrupt nesting depth: 0 outside interrupt handlers. */
  depth: number;
  /** Allocations attempted while forbidden (counted in both modes). */
  violations: number;
  /** Pool of the most recent violation, for diagnostics (`''` if none). */
  lastViolationPool: string;
  /** Operation of the most recent violation, for diagnostics (`''` if none). */
  lastViolationOperation: string;

  constructor(options: AllocationGuardOptions = {}) {
    this.mode = options.mode ?? 'throw';
    this.depth = 0;
    this.violations = 0;
    this.lastViolationPool = '';
    this.lastViolationOperation = '';
  }

  /** Called by the CPU when an interrupt handler starts. Nests (an interrupt may preempt another). */
  enterInterrupt(): void {
    this.depth++;
  }

  /** Called by the CPU when an interrupt handler returns. Unbalanced calls are a CPU-model bug and throw. */
  leaveInterrupt(): void {
    if (this.depth === 0) throw new Error('AllocationGuard.leaveInterrupt without matching enterInterrupt');
    this.depth--;
  }

  /** True while any interrupt handler runs: allocation is forbidden. */
  get forbidden(): boolean {
    return this.depth > 0;
  }

  /**
   * Records a forbidden allocation; throws {@link AllocationInInterruptError} in `'throw'` mode.
   * Pools call this only when {@link depth} > 0, so the common path costs one comparison.
   */
  violation(pool: string, operation: string): void {
    this.violations++;
    this.lastViolationPool = pool;
    this.lastViolationOperation = operation;
    if (this.mode === 'throw') throw new AllocationInInterruptError(pool, operation, this.depth);
  }
}
