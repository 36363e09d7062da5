import { CRYPTO_AES_GCM_16, type CryptoFramework, type CryptoSession } from '@ifnet/crypto';
import { parseAddr } from '@ifnet/inet';
import { ReplayWindow } from './replay.js';

/** The only AEAD transform implemented: ESP with AES-GCM and a 16-byte ICV (RFC 4106). */
export const XFRM_AEAD_RFC4106 = 'rfc4106(gcm(aes))';

/**
 * The parameters of `ip xfrm state add` this package accepts, with the same names and meanings:
 * `ip xfrm state add src A dst B proto esp spi 0x100 reqid 1 mode transport aead 'rfc4106(gcm(aes))' 0x<key+salt> 128`.
 */
export interface XfrmStateSpec {
  src: string;
  dst: string;
  proto: 'esp';
  spi: number;
  reqid?: number;
  mode: 'transport';
  aead: {
    name: typeof XFRM_AEAD_RFC4106;
    /** `0x` + hex: the AES key (16, 24 or 32 bytes) followed by the 4-byte salt (RFC 4106 section 8.1). */
    key: string;
    /** ICV length in bits; 128 only. */
    icvBits: number;
  };
  /** `replay-window N` (packets). Default 32, as Linux. */
  replayWindow?: number;
  /**
   * `flag esn`: extended (64-bit) sequence numbers, RFC 4303 section 2.2.1. Only the low 32 bits are sent;
   * the high 32 bits enter the AAD (RFC 4106 section 5) and are inferred by the receiver's replay window.
   */
  esn?: boolean;
  /** `replay-seq N` / `replay-seq-hi N`: the inbound window's starting top (Linux `seq` / `seq_hi`). */
  replaySeq?: number;
  replaySeqHi?: number;
  /** `replay-oseq N` / `replay-oseq-hi N`: the last outbound sequence number sent (Linux `oseq` / `oseq_hi`). */
  replayOseq?: number;
  replayOseqHi?: number;
}

/** SA counters (`ip -s xfrm state`): every drop has a reason. */
export interface XfrmStateStats {
  packets: number;
  bytes: number;
  replay: number;
  icvFail: number;
  badPadding: number;
  queueFull: number;
  /** Output: sequence number space exhausted (RFC 4303 3.3.3: the SA must be rekeyed). */
  seqOverflow: number;
  /** Input: decrypted, then refused by the inbound policy that covers it (template mismatch, block). */
  policyReject: number;
}

/**
 * A security association (`struct xfrm_state` / `struct secasvar`): addresses, SPI, the crypto session
 * holding the AES key, the salt, the output sequence counter and the input replay window.
 * Created by {@link createXfrmState}; `dead` is set when it is deleted while jobs may be in flight.
 */
export class XfrmState {
  readonly src: number;
  readonly dst: number;
  readonly spi: number;
  readonly reqid: number;
  readonly salt = new Uint8Array(4);
  readonly replay: ReplayWindow;
  /** Last sequence number sent (output), low 32 bits. */
  seqOut = 0;
  /** Its high 32 bits (ESN only). */
  seqOutHi = 0;
  /** Extended sequence numbers (`flag esn`). */
  readonly esn: boolean;
  dead = false;
  readonly stats: XfrmStateStats = {
    packets: 0,
    bytes: 0,
    replay: 0,
    icvFail: 0,
    badPadding: 0,
    queueFull: 0,
    seqOverflow: 0,
    policyReject: 0,
  };

  constructor(
    readonly spec: XfrmStateSpec,
    readonly session: CryptoSession,
    salt: Uint8Array,
  ) {
    this.src = parseAddr(spec.src);
    this.dst = parseAddr(spec.dst);
    this.spi = spec.spi >>> 0;
    this.reqid = spec.reqid ?? 0;
    this.salt.set(salt);
    this.esn = spec.esn === true;
    this.replay = new ReplayWindow(spec.replayWindow ?? 32, this.esn, spec.replaySeq ?? 0, spec.replaySeqHi ?? 0);
    this.seqOut = (spec.replayOseq ?? 0) >>> 0;
    this.seqOutHi = (spec.replayOseqHi ?? 0) >>> 0;
  }
}

/** Parses and validates an `ip xfrm state` spec and opens its crypto session. Throws on bad parameters. */
export function createXfrmState(fw: CryptoFramework, spec: XfrmStateSpec): XfrmState {
  if (spec.proto !== 'esp') throw new Error(`xfrm state: proto ${spec.proto} not supported (esp only)`);
  if (spec.mode !== 'transport') throw new Error(`xfrm state: mode ${spec.mode} not supported (transport only)`);
  if (!Number.isInteger(spec.spi) || spec.spi < 256 || spec.spi > 0xffffffff) {
    // RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is local-only.
    throw new RangeError(`xfrm state: spi ${spec.spi} out of range 256..0xffffffff`);
  }
  if (spec.aead.name !== XFRM_AEAD_RFC4106) throw new Error(`xfrm state: aead ${spec.aead.name} not supported`);
  if (spec.aead.icvBits !== 128) throw new Error(`xfrm state: ICV of ${spec.aead.icvBits} bits not supported (128)`);
  for (const k of ['replaySeq', 'replaySeqHi', 'replayOseq', 'replayOseqHi'] as const) {
    const v = spec[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new RangeError(`xfrm state: ${k} ${v} is not a 32-bit number`);
    }
  }
  if (spec.esn !== true && (spec.replaySeqHi ?? 0) + (spec.replayOseqHi ?? 0) !== 0) {
    throw new Error('xfrm state: replay-seq-hi / replay-oseq-hi need flag esn');
  }
  const hex = spec.aead.key.startsWith('0x') ? spec.aead.key.slice(2) : spec.aead.key;
  if (!/^[0-9a-fA-F]*$/.test(hex) || (hex.length !== 40 && hex.length !== 56 && hex.length !== 72)) {
    throw new Error('xfrm state: aead key must be 20, 28 or 36 bytes of hex (AES-128/192/256 key + 4-byte salt)');
  }
  const km = new Uint8Array(hex.length / 2);
  for (let i = 0; i < km.length; i++) km[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const keyLen = km.length - 4;
  const session = fw.newSession(CRYPTO_AES_GCM_16, km.subarray(0, keyLen));
  return new XfrmState(spec, session, km.subarray(keyLen));
}
