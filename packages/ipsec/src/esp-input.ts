import { DropCounter, type Ifnet, type Mbuf, m_adj, m_copyback, m_copydata, m_pullup } from '@ifnet/core';
import {
  CRYPTO_EBADMSG,
  CRYPTO_EQFULL,
  CRYPTO_OK,
  CRYPTO_OP_DECRYPT,
  type CryptoFramework,
  CryptoRequest,
  GCM_TAG_LEN,
} from '@ifnet/crypto';
import { IP_LEN, IP_P, IP_SUM, type Inet, IpDrop, cksumBytes } from '@ifnet/inet';
import { put32 } from './put32.js';
import type { XfrmInboundPolicy } from './xfrm-in-policy.js';
import type { XfrmState } from './xfrm-state.js';

/** IPv4 protocol number of ESP. */
export const IPPROTO_ESP = 50;
/** SPI + sequence number. */
export const ESP_HDR_LEN = 8;
/** RFC 4106 explicit IV. */
export const ESP_IV_LEN = 8;
/** Largest ESP payload (IV excluded, ICV included) a job buffer holds. */
export const ESP_MAX_PAYLOAD = 9216;

/** Drop reasons of ESP input (`esp.*` on the interface and in {@link EspInput.drops}). */
export const EspDrop = {
  short: 'esp.short',
  noSa: 'esp.nosa',
  /** SPI 0..255: reserved by IANA (0 is local-only, RFC 4303 2.1), never carried by a valid packet. */
  reservedSpi: 'esp.spi.reserved',
  replay: 'esp.replay',
  icv: 'esp.icv',
  badPadding: 'esp.badpad',
  queueFull: 'esp.qfull',
  tooLong: 'esp.toolong',
  saDeleted: 'esp.sadeleted',
  ifDown: 'esp.ifdown',
  cryptoError: 'esp.crypto',
  pullup: 'esp.pullup',
} as const;
export type EspDropReason = (typeof EspDrop)[keyof typeof EspDrop];

/** One in-flight decryption: the mbuf (owned by the job while the request is out), its SA and interface. */
export interface EspInJob {
  m: Mbuf | null;
  ifp: Ifnet | null;
  sa: XfrmState | null;
  hlen: number;
  seq: number;
  /** High 32 bits of the sequence number, inferred by the replay window (ESN; 0 otherwise). */
  seqHi: number;
  /** Ciphertext ‖ ICV, contiguous for the crypto driver. */
  readonly data: Uint8Array;
  free: boolean;
  readonly index: number;
}

/**
 * ESP input (RFC 4303 section 3.4, transport mode, RFC 4106 AES-GCM): `esp4_input` up to the crypto
 * dispatch, and `esp4_input_cb` as the request's completion continuation.
 *
 * `input` (called from IP input through the protocol table) checks the header, finds the SA by SPI,
 * pre-checks the replay window, copies the ciphertext into a pre-allocated job, dispatches it and
 * returns. The job owns the mbuf until the continuation runs; the continuation drops it (counted) if the
 * SA was deleted or the interface went down meanwhile, else verifies the ICV result, updates the replay
 * window, checks padding, writes the plaintext back, strips the ESP header and trailer, rewrites the IP
 * header (protocol = next header, length, checksum) and hands the inner payload to the IP protocol table.
 */
export class EspInput {
  readonly drop: DropCounter<EspDropReason>;
  /** `received` = `delivered` + drops by reason + `policyRejected` (counted in the inbound policy's drops). */
  readonly stats = { received: 0, delivered: 0, inFlight: 0, policyRejected: 0 };
  /**
   * Inbound policy check of the decrypted datagram (set by {@link Ipsec}; Linux `xfrm4_policy_check` on the
   * decapsulated packet): a refusal is counted there (`xfrm.in.*`), not in {@link drops}.
   */
  inPolicy: XfrmInboundPolicy | undefined = undefined;
  private readonly jobs: CryptoRequest<EspInJob>[] = [];
  private freeTop: number;
  private readonly freeList: Int32Array;

  constructor(
    readonly inet: Inet,
    readonly fw: CryptoFramework,
    /** SAs by SPI (the SAD; owned by the IPsec instance). */
    readonly sad: Map<number, XfrmState>,
    jobs = 64,
    readonly drops: Record<string, number> = {},
  ) {
    this.drop = new DropCounter<EspDropReason>(drops);
    this.freeList = new Int32Array(jobs);
    for (let i = 0; i < jobs; i++) {
      const job: EspInJob = {
        m: null,
        ifp: null,
        sa: null,
        hlen: 0,
        seq: 0,
        seqHi: 0,
        data: new Uint8Array(ESP_MAX_PAYLOAD + GCM_TAG_LEN),
        free: true,
        index: i,
      };
      this.jobs.push(new CryptoRequest<EspInJob>(`esp_input_cb${i}`, this.done, job));
      this.freeList[i] = i;
    }
    this.freeTop = jobs;
  }

  /** `esp4_input`: ownership of `m` passes in; IP header at offset 0, ESP at `off`. */
  readonly input = (m: Mbuf, off: number, ifp: Ifnet): void => {
    this.stats.received++;
    const len = m.pkthdr.len;
    const payload = len - off - ESP_HDR_LEN - ESP_IV_LEN - GCM_TAG_LEN;
    // At least pad length + next header, and a multiple of 4 (RFC 4303 2.4).
    if (payload < 2 || (payload & 3) !== 0) {
      this.drop.dropInput(m, ifp, EspDrop.short);
      return;
    }
    if (payload > ESP_MAX_PAYLOAD) {
      this.drop.dropInput(m, ifp, EspDrop.tooLong);
      return;
    }
    const hdr = off + ESP_HDR_LEN + ESP_IV_LEN;
    if (m.len < hdr) {
      const n = m_pullup(m, hdr);
      if (n === null) {
        this.drop.countInput(ifp, EspDrop.pullup);
        return;
      }
      m = n;
    }
    const v = m.view;
    const o = m.off;
    const spi = v.getUint32(o + off);
    const seq = v.getUint32(o + off + 4);
    if (spi < 256) {
      this.drop.dropInput(m, ifp, EspDrop.reservedSpi);
      return;
    }
    const sa = this.sad.get(spi);
    if (sa === undefined || sa.dead) {
      this.drop.dropInput(m, ifp, EspDrop.noSa);
      return;
    }
    if (sa.replay.check(seq) !== 'ok') {
      sa.stats.replay++;
      this.drop.dropInput(m, ifp, EspDrop.replay);
      return;
    }
    if (this.freeTop === 0) {
      sa.stats.queueFull++;
      this.drop.dropInput(m, ifp, EspDrop.queueFull);
      return;
    }
    const crp = this.jobs[this.freeList[--this.freeTop]];
    const job = crp.opaque;
    job.free = false;
    job.m = m;
    job.ifp = ifp;
    job.sa = sa;
    job.hlen = off;
    job.seq = seq;
    job.seqHi = sa.replay.inferredHi;
    m_copydata(m, hdr, payload + GCM_TAG_LEN, job.data, 0);
    crp.session = sa.session;
    crp.op = CRYPTO_OP_DECRYPT;
    crp.buf = job.data;
    crp.off = 0;
    crp.len = payload;
    // AAD = SPI ‖ sequence number, or SPI ‖ high 32 bits ‖ low 32 bits with ESN; nonce = salt ‖ explicit IV
    // (RFC 4106 sections 4 and 5).
    crp.aadLen = espAad(crp.aad, spi, seq, job.seqHi, sa.esn);
    crp.nonce.set(sa.salt, 0);
    m_copydata(m, off + ESP_HDR_LEN, ESP_IV_LEN, crp.nonce, 4);
    this.stats.inFlight++;
    const error = this.fw.dispatch(crp);
    if (error !== 0) {
      // Refused: the request is ours again. EQFULL is back-pressure; anything else (a session freed under
      // the SA, a malformed request) is a crypto error.
      this.release(crp);
      if (error === CRYPTO_EQFULL) {
        sa.stats.queueFull++;
        this.drop.dropInput(m, ifp, EspDrop.queueFull);
      } else this.drop.dropInput(m, ifp, EspDrop.cryptoError);
    }
  };

  /** Jobs available. */
  get freeJobs(): number {
    return this.freeTop;
  }

  private release(crp: CryptoRequest<EspInJob>): void {
    const job = crp.opaque;
    job.m = null;
    job.ifp = null;
    job.sa = null;
    job.free = true;
    this.stats.inFlight--;
    this.freeList[this.freeTop++] = job.index;
  }

  /** `esp4_input_cb`: the completion continuation (softnet). */
  private readonly done = (crp: CryptoRequest<EspInJob>): void => {
    const job = crp.opaque;
    const m = job.m as Mbuf;
    const ifp = job.ifp as Ifnet;
    const sa = job.sa as XfrmState;
    const hlen = job.hlen;
    const seq = job.seq;
    const seqHi = job.seqHi;
    const payload = crp.len;
    this.release(crp);
    if (sa.dead) {
      this.drop.dropInput(m, ifp, EspDrop.saDeleted);
      return;
    }
    if (!ifp.up) {
      this.drop.dropInput(m, ifp, EspDrop.ifDown);
      return;
    }
    if (crp.etype !== CRYPTO_OK) {
      if (crp.etype === CRYPTO_EBADMSG) {
        sa.stats.icvFail++;
        this.drop.dropInput(m, ifp, EspDrop.icv);
      } else this.drop.dropInput(m, ifp, EspDrop.cryptoError);
      return;
    }
    if (sa.replay.update(seq, seqHi) !== 'ok') {
      sa.stats.replay++;
      this.drop.dropInput(m, ifp, EspDrop.replay);
      return;
    }
    const d = job.data;
    const padLen = d[payload - 2];
    const nextHeader = d[payload - 1];
    const inner = payload - 2 - padLen;
    let padOk = inner >= 0;
    for (let i = 0; padOk && i < padLen; i++) if (d[inner + i] !== i + 1) padOk = false;
    if (!padOk) {
      sa.stats.badPadding++;
      this.drop.dropInput(m, ifp, EspDrop.badPadding);
      return;
    }
    sa.stats.packets++;
    sa.stats.bytes += inner;
    // Plaintext over the ciphertext, then drop trailer + ICV, then slide the IP header over ESP header + IV.
    const hdr = hlen + ESP_HDR_LEN + ESP_IV_LEN;
    m_copyback(m, hdr, inner, d, 0);
    m_adj(m, -(m.pkthdr.len - hdr - inner));
    let n: Mbuf | null = m;
    if (m.len < hdr) n = m_pullup(m, hdr);
    if (n === null) {
      this.drop.countInput(ifp, EspDrop.pullup);
      return;
    }
    const b = n.buf;
    const o = n.off;
    b.copyWithin(o + ESP_HDR_LEN + ESP_IV_LEN, o, o + hlen);
    m_adj(n, ESP_HDR_LEN + ESP_IV_LEN);
    const total = hlen + inner;
    const bo = n.off;
    n.buf[bo + IP_LEN] = total >>> 8;
    n.buf[bo + IP_LEN + 1] = total & 0xff;
    n.buf[bo + IP_P] = nextHeader;
    n.buf[bo + IP_SUM] = 0;
    n.buf[bo + IP_SUM + 1] = 0;
    const sum = ~cksumBytes(n.buf, bo, hlen) & 0xffff;
    n.buf[bo + IP_SUM] = sum >>> 8;
    n.buf[bo + IP_SUM + 1] = sum & 0xff;
    if (this.inPolicy?.reject(n, ifp, sa) === true) {
      this.stats.policyRejected++;
      return;
    }
    this.stats.delivered++;
    if (!this.inet.protocols.dispatch(nextHeader, n, hlen, ifp)) {
      this.stats.delivered--;
      this.inet.drop.noProto(n, ifp, IpDrop.noProto);
    }
  };
}

/**
 * Writes ESP's AAD into `aad` (RFC 4106 section 5): SPI ‖ 32-bit sequence number (8 bytes), or with
 * extended sequence numbers SPI ‖ high 32 bits ‖ low 32 bits (12 bytes; the high half is never sent).
 * Returns the length written (the request's `aadLen`).
 */
export function espAad(aad: Uint8Array, spi: number, seq: number, seqHi: number, esn: boolean): number {
  put32(aad, 0, spi);
  if (esn) {
    put32(aad, 4, seqHi);
    put32(aad, 8, seq);
    return ESP_HDR_LEN + 4;
  }
  put32(aad, 4, seq);
  return ESP_HDR_LEN;
}
