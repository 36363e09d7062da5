import { Continuation, IPL_SOFTNET } from '@ifnet/core';
import type { CryptoSession } from './session.js';

/** Operation of a request (OCF `CRD_F_ENCRYPT` on a combined AEAD descriptor, or its absence). */
export const CRYPTO_OP_ENCRYPT = 1;
export const CRYPTO_OP_DECRYPT = 2;
export type CryptoOp = typeof CRYPTO_OP_ENCRYPT | typeof CRYPTO_OP_DECRYPT;

/** `crp_etype` values. 0 is success. */
export const CRYPTO_OK = 0;
/** The authentication tag did not verify (`EBADMSG`): the payload is left as it was. */
export const CRYPTO_EBADMSG = 74;
/** The request is malformed for its session (length, buffer bounds) (`EINVAL`). */
export const CRYPTO_EINVAL = 22;
/** The device reported an error or wrote back something impossible (`EIO`). */
export const CRYPTO_EIO = 5;

/** GCM's nonce and tag sizes as used by ESP (RFC 4106): 12-byte nonce, 16-byte ICV. */
export const GCM_NONCE_LEN = 12;
export const GCM_TAG_LEN = 16;
/** Largest additional authenticated data (ESP uses 8 or 12: SPI + 32- or 64-bit sequence number). */
export const CRYPTO_MAX_AAD = 32;

/**
 * OCF's `struct cryptop`: one AEAD operation, processed **in place** on `buf[off .. off+len)` with the
 * 16-byte tag at `buf[off+len ..]` (encrypt writes it, decrypt verifies it).
 *
 * A request is created once by its owner (an SA's job slot) and reused: the owner fills the fields,
 * calls `CryptoFramework.dispatch`, and gets it back in {@link done}, a continuation the framework
 * schedules at softnet from `crypto_done` (NetBSD runs `crp_callback` from a softint). Between dispatch
 * and the continuation the framework and its driver own `buf`; the owner must not touch it.
 */
export class CryptoRequest<T = unknown> {
  /** `crp_sid`. */
  session: CryptoSession | null = null;
  op: CryptoOp = CRYPTO_OP_ENCRYPT;
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  /** Payload length, tag excluded. */
  len = 0;
  /** Additional authenticated data (`aad[0 .. aadLen)`), owned by the request. */
  readonly aad = new Uint8Array(CRYPTO_MAX_AAD);
  aadLen = 0;
  /** The GCM nonce (RFC 4106: salt ‖ explicit IV), owned by the request. */
  readonly nonce = new Uint8Array(GCM_NONCE_LEN);
  /** `crp_etype`: {@link CRYPTO_OK} or an error code, set before {@link done} runs. */
  etype = CRYPTO_OK;
  /** True from dispatch until the completion continuation starts. */
  inFlight = false;
  /** Intrusive link for the framework's blocked queue (`crp_next`). */
  next: CryptoRequest<any> | null = null;
  /** The buffer {@link bufferView} was made for, and the view (see there). */
  private viewOf: ArrayBufferLike | null = null;
  private view: DataView | null = null;
  /** `crp_callback` as a continuation: runs at softnet with this request as its argument. */
  readonly done: Continuation<CryptoRequest<T>>;

  constructor(
    name: string,
    callback: (crp: CryptoRequest<T>) => void,
    /** `crp_opaque`: the owner's context (an ESP job, say). */
    public opaque: T,
  ) {
    this.done = new Continuation<CryptoRequest<T>>(name, IPL_SOFTNET, callback, this);
  }

  /**
   * A DataView over the whole ArrayBuffer behind {@link buf}, made when `buf` first points into a new
   * buffer and kept: a driver that bounces the payload (core's `copyBytesWithViews`) then copies by words
   * without allocating, however many requests with their own buffers it cycles through. An owner that
   * reuses its request with the same buffer pays for one view, once.
   */
  get bufferView(): DataView {
    const b = this.buf.buffer;
    if (this.viewOf !== b || this.view === null) {
      this.viewOf = b;
      this.view = new DataView(b);
    }
    return this.view;
  }
}
