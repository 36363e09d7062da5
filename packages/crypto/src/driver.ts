import type { CryptoRequest } from './request.js';
import type { CryptoAlgorithm } from './session.js';

/** `process` result: the request was accepted (it will come back through `CryptoFramework.done`). */
export const CRYPTO_ACCEPTED = 0;
/** `process` result: the driver's queue is full (OCF `ERESTART`); it calls `unblock` when it has room. */
export const CRYPTO_ERESTART = 85;

/**
 * A crypto driver as the framework sees it (OCF's `crypto_register`ed `cryptodev_if`).
 * `process` takes ownership of an accepted request until it hands it to `CryptoFramework.done`;
 * a refused request ({@link CRYPTO_ERESTART}) stays with the framework.
 */
export interface CryptoDriver {
  readonly name: string;
  /** Hardware drivers win over software ones when a session is created. */
  readonly hardware: boolean;
  supports(alg: CryptoAlgorithm, keyLen: number): boolean;
  process(crp: CryptoRequest<any>): number;
}
