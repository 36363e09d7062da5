import { type Host, Simulation, ZERO_COST_PROFILE, createPlatform } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import {
  CRYPTO_AES_GCM_16,
  CRYPTO_ACCEPTED,
  CRYPTO_EBADMSG,
  CRYPTO_EINVAL,
  CRYPTO_EQFULL,
  CRYPTO_ERESTART,
  CRYPTO_OK,
  CRYPTO_OP_DECRYPT,
  CRYPTO_OP_ENCRYPT,
  type CryptoAlgorithm,
  type CryptoDriver,
  CryptoRequest,
  GCM_TAG_LEN,
  GCM_VECTORS,
  cryptoFramework,
  hexBytes,
} from '../src/index.js';

function rig(): { sim: Simulation; host: Host } {
  const sim = new Simulation({ seed: 1 });
  const host = createPlatform().createHost({ name: 'h', runner: sim, costs: ZERO_COST_PROFILE, loopback: false });
  return { sim, host };
}

function request(done: number[], id: number): CryptoRequest<number> {
  return new CryptoRequest<number>(`req${id}`, (crp) => done.push(crp.opaque), id);
}

describe('cryptosoft (no card present)', () => {
  it('computes the published GCM vectors in place and completes through the continuation at softnet', () => {
    const { sim, host } = rig();
    const fw = cryptoFramework(host);
    for (const v of GCM_VECTORS) {
      const s = fw.newSession(CRYPTO_AES_GCM_16, hexBytes(v.key));
      expect(s.driver.name).toBe('cryptosoft');
      const pt = hexBytes(v.plaintext);
      const aad = hexBytes(v.aad);
      const done: number[] = [];
      const crp = request(done, 1);
      crp.session = s;
      crp.op = CRYPTO_OP_ENCRYPT;
      crp.buf = new Uint8Array(pt.length + GCM_TAG_LEN);
      crp.buf.set(pt);
      crp.len = pt.length;
      crp.nonce.set(hexBytes(v.iv));
      crp.aad.set(aad);
      crp.aadLen = aad.length;
      expect(fw.dispatch(crp)).toBe(0);
      expect(done).toEqual([]); // the callback is a continuation, not a nested call
      sim.runUntilIdle();
      expect(done).toEqual([1]);
      expect(crp.etype).toBe(CRYPTO_OK);
      expect(crp.buf).toEqual(hexBytes(v.ciphertext + v.tag));
      crp.op = CRYPTO_OP_DECRYPT;
      expect(fw.dispatch(crp)).toBe(0);
      sim.runUntilIdle();
      expect(crp.etype).toBe(CRYPTO_OK);
      expect(crp.buf.subarray(0, pt.length)).toEqual(pt);
    }
  });

  it('a flipped bit fails authentication with EBADMSG and leaves the buffer as it was', () => {
    const { sim, host } = rig();
    const fw = cryptoFramework(host);
    const v = GCM_VECTORS[1];
    const crp = request([], 1);
    crp.session = fw.newSession(CRYPTO_AES_GCM_16, hexBytes(v.key));
    crp.op = CRYPTO_OP_DECRYPT;
    crp.buf = hexBytes(v.ciphertext + v.tag);
    crp.buf[5] ^= 0x10;
    const before = crp.buf.slice();
    crp.len = crp.buf.length - GCM_TAG_LEN;
    crp.nonce.set(hexBytes(v.iv));
    crp.aad.set(hexBytes(v.aad));
    crp.aadLen = 20;
    fw.dispatch(crp);
    sim.runUntilIdle();
    expect(crp.etype).toBe(CRYPTO_EBADMSG);
    expect(crp.buf).toEqual(before);
  });

  it('refuses requests without a live session (EINVAL) and unsupported keys at session creation', () => {
    const { host } = rig();
    const fw = cryptoFramework(host);
    const crp = request([], 1);
    expect(fw.dispatch(crp)).toBe(CRYPTO_EINVAL);
    crp.session = fw.newSession(CRYPTO_AES_GCM_16, new Uint8Array(16));
    fw.freeSession(crp.session);
    expect(fw.dispatch(crp)).toBe(CRYPTO_EINVAL);
    expect(fw.stats.invalid).toBe(2);
    expect(() => fw.newSession(CRYPTO_AES_GCM_16, new Uint8Array(20))).toThrow(RangeError);
    // AES-192 (RFC 4106 with a 24-byte key) is supported since ESP covers draft-mcgrew-gcm-test-01 case 7.
    expect(fw.newSession(CRYPTO_AES_GCM_16, new Uint8Array(24)).key.length).toBe(24);
  });

  it('is one framework per host, found through DI', () => {
    const { host } = rig();
    expect(cryptoFramework(host)).toBe(cryptoFramework(host));
  });
});

/** A driver with a fixed number of slots, completed by the test: exercises back-pressure only. */
class SlotDriver implements CryptoDriver {
  readonly name = 'slots';
  readonly hardware = true;
  readonly held: CryptoRequest<any>[] = [];
  constructor(readonly depth: number) {}
  supports(alg: CryptoAlgorithm, keyLen: number): boolean {
    return alg === CRYPTO_AES_GCM_16 && keyLen === 16;
  }
  process(crp: CryptoRequest<any>): number {
    if (this.held.length >= this.depth) return CRYPTO_ERESTART;
    this.held.push(crp);
    return CRYPTO_ACCEPTED;
  }
}

describe('back-pressure (ERESTART)', () => {
  it('parks refused requests in order, resubmits them after unblock, and bounds the parking queue', () => {
    const { sim, host } = rig();
    const fw = cryptoFramework(host, { queueLimit: 3 });
    const drv = new SlotDriver(2);
    fw.register(drv);
    const s = fw.newSession(CRYPTO_AES_GCM_16, new Uint8Array(16));
    expect(s.driver).toBe(drv);
    const done: number[] = [];
    const reqs = [0, 1, 2, 3, 4, 5].map((i) => {
      const r = request(done, i);
      r.session = s;
      r.buf = new Uint8Array(GCM_TAG_LEN);
      return r;
    });
    expect(reqs.map((r) => fw.dispatch(r))).toEqual([0, 0, 0, 0, 0, CRYPTO_EQFULL]);
    expect(fw.queued).toBe(3);
    expect(fw.stats.qfull).toBe(1);
    // The "card" finishes both; its interrupt completes them and unblocks.
    for (const r of drv.held.splice(0)) fw.done(r);
    fw.unblock(drv);
    sim.runUntilIdle();
    expect(done).toEqual([0, 1]);
    expect(drv.held.map((r) => r.opaque)).toEqual([2, 3]);
    expect(fw.queued).toBe(1);
    for (const r of drv.held.splice(0)) fw.done(r);
    fw.unblock(drv);
    sim.runUntilIdle();
    for (const r of drv.held.splice(0)) fw.done(r);
    sim.runUntilIdle();
    expect(done).toEqual([0, 1, 2, 3, 4]);
    expect(fw.queued).toBe(0);
    expect(fw.stats.resubmitted).toBe(3);
  });
});
