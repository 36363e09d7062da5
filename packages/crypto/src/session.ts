import type { CryptoDriver } from './driver.js';

/** Algorithms the framework knows (OCF `CRYPTO_AES_NIST_GCM_16`, the RFC 4106 ESP transform). */
export const CRYPTO_AES_GCM_16 = 'aes-gcm-16';
export type CryptoAlgorithm = typeof CRYPTO_AES_GCM_16;

/**
 * A crypto session (`crypto_newsession`): the algorithm and key, set up once, and the driver chosen for it.
 * The key is copied in; sessions are created when an SA is installed, never per packet.
 */
export class CryptoSession {
  /** False after `freeSession`: requests still in flight complete, new ones are refused. */
  live = true;

  constructor(
    readonly id: number,
    readonly alg: CryptoAlgorithm,
    /** AES key, 16, 24 or 32 bytes (the RFC 4106 salt is *not* part of it: it goes into each nonce). */
    readonly key: Uint8Array,
    readonly driver: CryptoDriver,
  ) {}
}
