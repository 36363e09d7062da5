/**
 * The one error class of the mbuf layer, for *programming* bugs only: freeing an mbuf twice, freeing an
 * mbuf into a pool it does not come from, attaching a second cluster, using a freed mbuf, linking a chain
 * into itself, handing a host an mbuf of another host's pool. Running out of mbufs is not an
 * error (allocation returns `null`/`false` and a failure counter moves), and neither is a malformed
 * packet. Throwing here is right because the kernel's own bookkeeping is already wrong and continuing
 * would corrupt other packets.
 *
 * @module
 */

/** What kind of misuse an {@link MbufError} reports, for tests and tooling that want to tell them apart. */
export type MbufErrorCode =
  | 'double-free'
  | 'foreign'
  | 'bad-state'
  | 'accounting'
  /** A chain operation on an mbuf that is on its pool's free list (BSD's M_SANITY catches the same). */
  | 'use-after-free'
  /** A chain operation that would link a chain into itself (`m_cat(m, m)`). */
  | 'cycle';

export class MbufError extends Error {
  readonly code: MbufErrorCode;

  constructor(code: MbufErrorCode, message: string) {
    super(message);
    this.name = 'MbufError';
    this.code = code;
  }
}
