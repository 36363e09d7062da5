import { CRYPTO_ACCEPTED, type CryptoDriver } from './driver.js';
import type { CryptoFramework } from './framework.js';
import { aesGcmInPlace } from './gcm.js';
import { CRYPTO_EINVAL, CRYPTO_OP_ENCRYPT, type CryptoRequest } from './request.js';
import { CRYPTO_AES_GCM_16, type CryptoAlgorithm } from './session.js';

/**
 * `cryptosoft` (swcr): the software driver used when no card supports a session. It performs the
 * operation synchronously inside `dispatch` — that is, at softnet, in the caller's context — and then
 * completes the request through the framework like any driver, so callers have one code path.
 * It never refuses a request (no queue, no ERESTART).
 */
export class CryptoSoft implements CryptoDriver {
  readonly name = 'cryptosoft';
  readonly hardware = false;
  /** Operations performed. */
  ops = 0;

  constructor(private readonly fw: CryptoFramework) {}

  supports(alg: CryptoAlgorithm, keyLen: number): boolean {
    return alg === CRYPTO_AES_GCM_16 && (keyLen === 16 || keyLen === 24 || keyLen === 32);
  }

  process(crp: CryptoRequest<any>): number {
    const s = crp.session;
    this.ops++;
    crp.etype =
      s === null
        ? CRYPTO_EINVAL
        : aesGcmInPlace(
            crp.op === CRYPTO_OP_ENCRYPT,
            s.key,
            crp.nonce,
            crp.aad.subarray(0, crp.aadLen),
            crp.buf,
            crp.off,
            crp.len,
          );
    this.fw.done(crp);
    return CRYPTO_ACCEPTED;
  }
}
