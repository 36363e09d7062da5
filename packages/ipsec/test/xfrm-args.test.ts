import { describe, expect, it } from 'vitest';
import { XFRM_AEAD_RFC4106, parseXfrmPolicy, parseXfrmState, splitArgs } from '../src/index.js';

const KEY = `0x${'ab'.repeat(16)}01020304`;

describe('ip xfrm grammar (ip-xfrm(8)) for state and policy', () => {
  it('splits words like a shell: quotes group and disappear', () => {
    expect(splitArgs(`aead 'rfc4106(gcm(aes))' 0x11  128`)).toEqual(['aead', 'rfc4106(gcm(aes))', '0x11', '128']);
    expect(splitArgs(`a "b c" ''`)).toEqual(['a', 'b c', '']);
    expect(() => splitArgs(`aead 'rfc4106`)).toThrow(/unterminated/);
  });

  it('reads the same words as ip xfrm state add, with or without the command in front', () => {
    const line = `src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 7 mode transport aead 'rfc4106(gcm(aes))' ${KEY} 128 replay-window 64`;
    const want = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      spi: 0x100,
      reqid: 7,
      mode: 'transport',
      aead: { name: XFRM_AEAD_RFC4106, key: KEY, icvBits: 128 },
      replayWindow: 64,
    };
    expect(parseXfrmState(line)).toEqual(want);
    expect(parseXfrmState(`ip xfrm state add ${line}`)).toEqual(want);
    // Keywords in another order, decimal SPI, no reqid / replay-window / mode (transport is ip's default).
    expect(parseXfrmState(`aead rfc4106(gcm(aes)) ${KEY} 128 proto esp spi 4096 dst 10.0.0.2 src 10.0.0.1`)).toEqual({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      proto: 'esp',
      spi: 4096,
      mode: 'transport',
      aead: { name: XFRM_AEAD_RFC4106, key: KEY, icvBits: 128 },
    });
  });

  it('reads flag esn and the replay-seq / replay-oseq options (ip-xfrm(8), XFRMA_REPLAY_ESN_VAL)', () => {
    const line = `ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 mode transport aead 'rfc4106(gcm(aes))' ${KEY} 128 flag esn replay-window 128 replay-seq 0xffffff00 replay-seq-hi 2 replay-oseq 5 replay-oseq-hi 0x3`;
    expect(parseXfrmState(line)).toEqual({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      spi: 0x100,
      mode: 'transport',
      aead: { name: XFRM_AEAD_RFC4106, key: KEY, icvBits: 128 },
      replayWindow: 128,
      esn: true,
      replaySeq: 0xffffff00,
      replaySeqHi: 2,
      replayOseq: 5,
      replayOseqHi: 3,
    });
    const base = `src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 aead rfc4106(gcm(aes)) ${KEY} 128`;
    expect(parseXfrmState(`${base} flag esn esn`).esn).toBe(true);
    expect(() => parseXfrmState(`${base} flag noecn`)).toThrow(/flag noecn not supported/);
    expect(() => parseXfrmState(`${base} flag`)).toThrow(/a flag name is required/);
    expect(() => parseXfrmState(`${base} flag bogus`)).toThrow(/a flag name is required/);
    expect(() => parseXfrmState(`${base} replay-seq-hi 0x100000000`)).toThrow(/not a 32-bit number/);
  });

  it('refuses what it does not implement, naming it', () => {
    const base = `src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 aead rfc4106(gcm(aes)) ${KEY} 128`;
    expect(() => parseXfrmState(`${base} mode tunnel`)).toThrow(/mode tunnel not supported/);
    expect(() => parseXfrmState(base.replace('proto esp', 'proto ah'))).toThrow(/proto ah not supported/);
    expect(() => parseXfrmState(`${base} enc cbc(aes) 0x00`)).toThrow(/unknown or unsupported keyword 'enc'/);
    expect(() => parseXfrmState(base.replace('rfc4106(gcm(aes))', 'rfc4309(ccm(aes))'))).toThrow(/not supported/);
    expect(() => parseXfrmState(base.replace(KEY, 'secretkey'))).toThrow(/0x followed by hex/);
    expect(() => parseXfrmState(`${base} spi 0x200`)).toThrow(/'spi' given twice/);
    expect(() => parseXfrmState(base.replace('spi 0x100 ', ''))).toThrow(/'spi' is required/);
    expect(() => parseXfrmState(`${base} reqid`)).toThrow(/reqid: value missing/);
    expect(() => parseXfrmState(`${base} reqid 1x`)).toThrow(/not a 32-bit number/);
    expect(() => parseXfrmState('src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100')).toThrow(/aead .* is required/);
  });

  it('reads ip xfrm policy add: selector, dir, action, template', () => {
    expect(
      parseXfrmPolicy(
        'ip xfrm policy add src 192.0.2.0/25 dst 192.0.2.2 dir in tmpl src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport level required',
      ),
    ).toEqual({
      src: '192.0.2.0/25',
      dst: '192.0.2.2',
      dir: 'in',
      tmpl: { src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', spi: 0x100, reqid: 1, mode: 'transport' },
    });
    expect(parseXfrmPolicy('dir out action block')).toEqual({
      src: '0.0.0.0/0',
      dst: '0.0.0.0/0',
      dir: 'out',
      action: 'block',
    });
    expect(() => parseXfrmPolicy('src 10.0.0.1 dst 10.0.0.2 dir fwd')).toThrow(/dir fwd not supported/);
    expect(() => parseXfrmPolicy('src 10.0.0.1 dst 10.0.0.2')).toThrow(/'dir' is required/);
    expect(() => parseXfrmPolicy('dir in priority 5')).toThrow(/unknown or unsupported keyword 'priority'/);
    expect(() => parseXfrmPolicy('dir in tmpl proto esp mode tunnel')).toThrow(/mode tunnel not supported/);
    expect(() => parseXfrmPolicy('dir in tmpl proto esp level use')).toThrow(/level use not supported/);
    expect(() => parseXfrmPolicy('dir in tmpl mode transport')).toThrow(/'proto' is required/);
  });
});
