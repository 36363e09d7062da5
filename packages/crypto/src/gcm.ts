import { gcm } from '@noble/ciphers/aes.js';
import { CRYPTO_EBADMSG, CRYPTO_EINVAL, CRYPTO_OK, GCM_TAG_LEN } from './request.js';

/**
 * AES-GCM over a caller's buffer, in place: the one place ifnet computes the cipher, with
 * `@noble/ciphers` (audited, browser-safe). Used by `cryptosoft` and by the crypto card's device model.
 *
 * Seal: `buf[off .. off+len)` plaintext → ciphertext, tag written at `buf[off+len .. +16)`.
 * Open: ciphertext and tag there → plaintext in place; on a tag mismatch nothing is written and
 * {@link CRYPTO_EBADMSG} is returned. noble returns fresh arrays, so each call allocates its output
 * (this runs in softnet or on the "card", never in a hard interrupt handler).
 */
export function aesGcmInPlace(
  encrypt: boolean,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  buf: Uint8Array,
  off: number,
  len: number,
): number {
  if (
    (key.length !== 16 && key.length !== 24 && key.length !== 32) ||
    off < 0 ||
    len < 0 ||
    off + len + GCM_TAG_LEN > buf.length
  ) {
    return CRYPTO_EINVAL;
  }
  const cipher = gcm(key, nonce, aad);
  if (encrypt) {
    const out = cipher.encrypt(buf.subarray(off, off + len));
    buf.set(out, off);
    return CRYPTO_OK;
  }
  let out: Uint8Array;
  try {
    out = cipher.decrypt(buf.subarray(off, off + len + GCM_TAG_LEN));
  } catch {
    return CRYPTO_EBADMSG;
  }
  buf.set(out, off);
  return CRYPTO_OK;
}
