import {
  CRYPTO_AES_GCM_16,
  CRYPTO_EBADMSG,
  CRYPTO_OK,
  CRYPTO_OP_DECRYPT,
  CRYPTO_OP_ENCRYPT,
  CryptoRequest,
  GCM_TAG_LEN,
  GCM_VECTORS,
  aesGcmInPlace,
  hexBytes,
} from '@ifnet/crypto';
import { describe, expect, it } from 'vitest';
import { CC_DOORBELL, CC_STAT_OVERRUN, CC_CMD_CONS } from '../src/index.js';
import { CardRig } from './rig.js';

describe('crypto card: AES-GCM on the card', () => {
  it('matches the published GCM vectors (encrypt and decrypt), through descriptors, doorbell and interrupt', () => {
    const rig = new CardRig();
    for (const v of GCM_VECTORS) {
      const pt = hexBytes(v.plaintext);
      const crp = new CryptoRequest<number>('v', () => {}, 0);
      crp.session = rig.fw.newSession(CRYPTO_AES_GCM_16, hexBytes(v.key));
      expect(crp.session.driver).toBe(rig.drv);
      crp.op = CRYPTO_OP_ENCRYPT;
      crp.buf = new Uint8Array(pt.length + GCM_TAG_LEN);
      crp.buf.set(pt);
      crp.len = pt.length;
      crp.nonce.set(hexBytes(v.iv));
      crp.aad.set(hexBytes(v.aad));
      crp.aadLen = v.aad.length / 2;
      expect(rig.fw.dispatch(crp)).toBe(0);
      rig.sim.runUntilIdle();
      expect(crp.etype).toBe(CRYPTO_OK);
      expect(crp.buf).toEqual(hexBytes(v.ciphertext + v.tag));
      crp.op = CRYPTO_OP_DECRYPT;
      rig.fw.dispatch(crp);
      rig.sim.runUntilIdle();
      expect(crp.etype).toBe(CRYPTO_OK);
      expect(crp.buf.subarray(0, pt.length)).toEqual(pt);
    }
    expect(rig.dev.stats.ops).toBe(2 * GCM_VECTORS.length);
    expect(rig.drv.stats.interrupts).toBeGreaterThanOrEqual(2 * GCM_VECTORS.length);
  });

  it('reports a bad tag as EBADMSG and writes nothing back', () => {
    const rig = new CardRig();
    const crp = rig.request(1, 100);
    rig.fw.dispatch(crp);
    rig.sim.runUntilIdle();
    crp.op = CRYPTO_OP_DECRYPT;
    crp.buf[100 + 3] ^= 1; // the tag
    const before = crp.buf.slice();
    rig.fw.dispatch(crp);
    rig.sim.runUntilIdle();
    expect(crp.etype).toBe(CRYPTO_EBADMSG);
    expect(crp.buf).toEqual(before);
    expect(rig.dev.stats.authFailures).toBe(1);
  });
});

describe('crypto card: the work queue', () => {
  it('takes time proportional to length and completes in submission order', () => {
    const rig = new CardRig({ bytesPerSecond: 1e9, setupNs: 1000 }); // 1 byte/ns
    const reqs = [1000, 4000, 200].map((len, i) => rig.request(i, len));
    const t0 = rig.sim.now();
    for (const r of reqs) expect(rig.fw.dispatch(r)).toBe(0);
    rig.sim.runUntilIdle();
    expect(rig.done).toEqual([0, 1, 2]);
    // Serial engine: setup + (len + 8 AAD) ns each, back to back.
    expect(rig.doneAt.map((t) => t - t0)).toEqual([2008, 2008 + 5008, 2008 + 5008 + 1208]);
    for (const r of reqs) {
      const ref = new Uint8Array(r.len + GCM_TAG_LEN);
      for (let i = 0; i < r.len; i++) ref[i] = (i * 31 + r.opaque) & 0xff;
      aesGcmInPlace(true, new Uint8Array(16).fill(7), r.nonce, r.aad.subarray(0, 8), ref, 0, r.len);
      expect(r.buf).toEqual(ref);
    }
  });

  it('queue full is real: at most depth on the card, the rest parked by the framework, none lost, order kept', () => {
    for (const depth of [1, 4, 16]) {
      const rig = new CardRig({ queueDepth: depth });
      expect(rig.drv.depth).toBe(depth);
      let maxOutstanding = 0;
      const n = 40;
      for (let i = 0; i < n; i++) {
        expect(rig.fw.dispatch(rig.request(i, 64 + i))).toBe(0);
        maxOutstanding = Math.max(maxOutstanding, rig.dev.outstanding);
      }
      expect(maxOutstanding).toBe(depth);
      expect(rig.fw.queued).toBe(n - depth);
      while (rig.sim.step()) maxOutstanding = Math.max(maxOutstanding, rig.dev.outstanding);
      expect(maxOutstanding).toBe(depth);
      expect(rig.done).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(rig.drv.stats.queueFull).toBeGreaterThan(0);
      expect(rig.fw.queued).toBe(0);
      expect(rig.dev.stats.overruns).toBe(0);
    }
  });

  it('one interrupt can complete several commands (the ring is drained), and ISR is read-to-clear', () => {
    const rig = new CardRig({ queueDepth: 4 });
    for (let i = 0; i < 4; i++) rig.fw.dispatch(rig.request(i, 32));
    rig.sim.runUntilIdle();
    expect(rig.done).toEqual([0, 1, 2, 3]);
    expect(rig.drv.stats.badCompletions).toBe(0);
    expect(rig.drv.stats.interrupts).toBeLessThanOrEqual(4);
    expect(rig.drv.outstanding).toBe(0);
  });

  it('a doorbell beyond the queue depth is an overrun the card counts and clamps', () => {
    const rig = new CardRig({ queueDepth: 4 });
    const bar = rig.host.devices[0].attachArgs.bars[0];
    bar.write32(CC_DOORBELL, 9);
    expect(bar.read32(CC_STAT_OVERRUN)).toBe(1);
    expect(rig.dev.outstanding).toBe(4);
    // The ring entries were never written (zero descriptors): the card reports bad descriptors, the driver
    // finds no matching slot and counts them, nothing crashes.
    rig.sim.runUntilIdle();
    expect(bar.read32(CC_CMD_CONS)).toBe(4);
    expect(rig.dev.stats.badDescriptors).toBe(4);
    expect(rig.drv.stats.badCompletions).toBeGreaterThan(0);
  });
});
