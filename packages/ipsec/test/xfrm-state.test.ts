import { Simulation, ZERO_COST_PROFILE, createPlatform } from '@ifnet/core';
import { cryptoFramework } from '@ifnet/crypto';
import { describe, expect, it } from 'vitest';
import { XFRM_AEAD_RFC4106, type XfrmStateSpec, createXfrmState } from '../src/index.js';

function fw() {
  const host = createPlatform().createHost({
    name: 'h',
    runner: new Simulation({ seed: 1 }),
    costs: ZERO_COST_PROFILE,
    loopback: false,
  });
  return cryptoFramework(host);
}

const spec = (key: string, over: Partial<XfrmStateSpec> = {}): XfrmStateSpec => ({
  src: '10.0.0.1',
  dst: '10.0.0.2',
  proto: 'esp',
  spi: 0x100,
  reqid: 1,
  mode: 'transport',
  aead: { name: XFRM_AEAD_RFC4106, key, icvBits: 128 },
  ...over,
});

describe('xfrm state (ip xfrm state add ... aead rfc4106(gcm(aes)) 0x<key+salt> 128)', () => {
  it('splits the keying material into the AES key and the 4-byte salt (RFC 4106 8.1)', () => {
    const s = createXfrmState(fw(), spec(`0x${'11'.repeat(16)}a1b2c3d4`));
    expect(s.session.key).toEqual(new Uint8Array(16).fill(0x11));
    expect(s.salt).toEqual(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4));
    expect(s.src).toBe(0x0a000001);
    expect(s.spi).toBe(0x100);
    expect(s.replay.size).toBe(32);
    const s256 = createXfrmState(fw(), spec(`0x${'22'.repeat(32)}01020304`, { replayWindow: 64 }));
    expect(s256.session.key.length).toBe(32);
    expect(s256.replay.size).toBe(64);
  });

  it('AES-192 (28 bytes of key + salt) and ESN with its starting counters (replay-seq*, replay-oseq*)', () => {
    const s192 = createXfrmState(fw(), spec(`0x${'33'.repeat(24)}01020304`));
    expect(s192.session.key.length).toBe(24);
    const e = createXfrmState(
      fw(),
      spec(`0x${'11'.repeat(20)}`, { esn: true, replaySeq: 9, replaySeqHi: 2, replayOseq: 7, replayOseqHi: 1 }),
    );
    expect([e.esn, e.replay.esn, e.replay.topHi, e.replay.top, e.seqOutHi, e.seqOut]).toEqual([true, true, 2, 9, 1, 7]);
    expect(() => createXfrmState(fw(), spec(`0x${'11'.repeat(20)}`, { replaySeqHi: 1 }))).toThrow(/need flag esn/);
    expect(() => createXfrmState(fw(), spec(`0x${'11'.repeat(20)}`, { esn: true, replaySeq: -1 }))).toThrow(
      /not a 32-bit number/,
    );
  });

  it('refuses what it does not implement, with a clear error', () => {
    const k = `0x${'11'.repeat(20)}`;
    expect(() => createXfrmState(fw(), spec(`0x${'11'.repeat(19)}`))).toThrow(/20, 28 or 36 bytes/);
    expect(() => createXfrmState(fw(), spec(k, { spi: 5 }))).toThrow(/spi/);
    expect(() => createXfrmState(fw(), { ...spec(k), aead: { name: XFRM_AEAD_RFC4106, key: k, icvBits: 96 } })).toThrow(
      /ICV/,
    );
    expect(() => createXfrmState(fw(), { ...spec(k), mode: 'tunnel' as 'transport' })).toThrow(/transport only/);
  });
});
