import { DropCounter, type Mbuf, m_copyback, m_copydata, m_prepend } from '@ifnet/core';
import {
  CRYPTO_EQFULL,
  CRYPTO_OK,
  CRYPTO_OP_ENCRYPT,
  type CryptoFramework,
  CryptoRequest,
  GCM_TAG_LEN,
} from '@ifnet/crypto';
import type { Inet } from '@ifnet/inet';
import { ESP_HDR_LEN, ESP_IV_LEN, ESP_MAX_PAYLOAD, IPPROTO_ESP, espAad } from './esp-input.js';
import { put32 } from './put32.js';
import type { XfrmState } from './xfrm-state.js';

/** Drop reasons of ESP output. */
export const EspOutDrop = {
  tooLong: 'esp.out.toolong',
  queueFull: 'esp.out.qfull',
  seqOverflow: 'esp.out.seqoverflow',
  saDeleted: 'esp.out.sadeleted',
  cryptoError: 'esp.out.crypto',
  nobufs: 'esp.out.nobufs',
  noState: 'esp.out.nostate',
  /** An outbound policy with `action block` covers the datagram (Linux `XfrmOutPolBlock`). */
  polBlock: 'esp.out.polblock',
} as const;
export type EspOutDropReason = (typeof EspOutDrop)[keyof typeof EspOutDrop];

interface EspOutJob {
  m: Mbuf | null;
  sa: XfrmState | null;
  src: number;
  dst: number;
  /** IP output options of the packet, kept in the job (no per-packet object). */
  readonly opts: { ttl?: number; tos?: number; df?: boolean };
  readonly data: Uint8Array;
  readonly index: number;
}

/**
 * ESP output (RFC 4303 section 3.3, transport mode; `esp4_output` and its callback): the mirror image of
 * {@link EspInput}. `output` takes the transport payload (no IP header; ownership passes in), assigns the
 * next sequence number, copies payload + padding (1, 2, 3, …) + pad length + next header into a job,
 * dispatches the encryption and returns. The completion continuation writes the ciphertext and ICV back
 * into the mbuf (growing it), prepends SPI, sequence number and explicit IV (the sequence number, unique
 * per SA as RFC 4106 requires), and hands the packet to IP output as protocol 50.
 */
export class EspOutput {
  readonly drop: DropCounter<EspOutDropReason>;
  readonly stats = { sent: 0, inFlight: 0 };
  private readonly jobs: CryptoRequest<EspOutJob>[] = [];
  private readonly freeList: Int32Array;
  private freeTop: number;

  constructor(
    readonly inet: Inet,
    readonly fw: CryptoFramework,
    jobs = 64,
    readonly drops: Record<string, number> = {},
  ) {
    this.drop = new DropCounter<EspOutDropReason>(drops);
    this.freeList = new Int32Array(jobs);
    for (let i = 0; i < jobs; i++) {
      const job: EspOutJob = {
        m: null,
        sa: null,
        src: 0,
        dst: 0,
        opts: {},
        data: new Uint8Array(ESP_MAX_PAYLOAD + GCM_TAG_LEN),
        index: i,
      };
      this.jobs.push(new CryptoRequest<EspOutJob>(`esp_output_cb${i}`, this.done, job));
      this.freeList[i] = i;
    }
    this.freeTop = jobs;
  }

  /** Encrypts `m` (transport payload, `proto` its protocol) under `sa`; always takes ownership of `m`. */
  output(
    m: Mbuf,
    sa: XfrmState,
    src: number,
    dst: number,
    proto: number,
    opts: { ttl?: number; tos?: number; df?: boolean },
  ): void {
    const len = m.pkthdr.len;
    const padLen = (4 - ((len + 2) & 3)) & 3;
    const ptLen = len + padLen + 2;
    if (ptLen > ESP_MAX_PAYLOAD) {
      this.drop.dropOutput(m, null, EspOutDrop.tooLong);
      return;
    }
    // RFC 4303 3.3.3: the counter never cycles (2^32-1 is the last number, or 2^64-1 with ESN).
    if (sa.seqOut === 0xffffffff && (!sa.esn || sa.seqOutHi === 0xffffffff)) {
      sa.stats.seqOverflow++;
      this.drop.dropOutput(m, null, EspOutDrop.seqOverflow);
      return;
    }
    if (this.freeTop === 0) {
      sa.stats.queueFull++;
      this.drop.dropOutput(m, null, EspOutDrop.queueFull);
      return;
    }
    const crp = this.jobs[this.freeList[--this.freeTop]];
    const job = crp.opaque;
    if (sa.seqOut === 0xffffffff) {
      sa.seqOut = 0;
      sa.seqOutHi++;
    } else sa.seqOut++;
    const seq = sa.seqOut;
    const seqHi = sa.seqOutHi;
    job.m = m;
    job.sa = sa;
    job.src = src;
    job.dst = dst;
    job.opts.ttl = opts.ttl;
    job.opts.tos = opts.tos;
    job.opts.df = opts.df;
    const d = job.data;
    m_copydata(m, 0, len, d, 0);
    for (let i = 0; i < padLen; i++) d[len + i] = i + 1;
    d[len + padLen] = padLen;
    d[len + padLen + 1] = proto;
    crp.session = sa.session;
    crp.op = CRYPTO_OP_ENCRYPT;
    crp.buf = d;
    crp.off = 0;
    crp.len = ptLen;
    crp.aadLen = espAad(crp.aad, sa.spi, seq, seqHi, sa.esn);
    // Nonce = salt ‖ explicit IV; the IV is the 64-bit sequence number (high ‖ low, high 0 without ESN),
    // never repeated under a key.
    const nc = crp.nonce;
    nc.set(sa.salt, 0);
    put32(nc, 4, seqHi);
    put32(nc, 8, seq);
    this.stats.inFlight++;
    const error = this.fw.dispatch(crp);
    if (error !== 0) {
      // Refused: the request is ours again. EQFULL is back-pressure; anything else (a session freed under
      // the SA, a malformed request) is a crypto error.
      this.release(crp);
      if (error === CRYPTO_EQFULL) {
        sa.stats.queueFull++;
        this.drop.dropOutput(m, null, EspOutDrop.queueFull);
      } else this.drop.dropOutput(m, null, EspOutDrop.cryptoError);
    }
  }

  private release(crp: CryptoRequest<EspOutJob>): void {
    const job = crp.opaque;
    job.m = null;
    job.sa = null;
    this.stats.inFlight--;
    this.freeList[this.freeTop++] = job.index;
  }

  /** `esp_output_cb`: the completion continuation (softnet). */
  private readonly done = (crp: CryptoRequest<EspOutJob>): void => {
    const job = crp.opaque;
    const m = job.m as Mbuf;
    const sa = job.sa as XfrmState;
    const src = job.src;
    const dst = job.dst;
    this.release(crp);
    if (sa.dead) {
      this.drop.dropOutput(m, null, EspOutDrop.saDeleted);
      return;
    }
    if (crp.etype !== CRYPTO_OK) {
      this.drop.dropOutput(m, null, EspOutDrop.cryptoError);
      return;
    }
    if (!m_copyback(m, 0, crp.len + GCM_TAG_LEN, job.data, 0)) {
      this.drop.dropOutput(m, null, EspOutDrop.nobufs);
      return;
    }
    const n = m_prepend(m, ESP_HDR_LEN + ESP_IV_LEN);
    if (n === null) {
      this.drop.count(EspOutDrop.nobufs);
      return;
    }
    const b = n.buf;
    const o = n.off;
    // SPI ‖ low 32 bits of the sequence number (the high half is in the AAD only), then the explicit IV.
    // Byte copies, not subarray views: nothing allocates here.
    const aad = crp.aad;
    const nc = crp.nonce;
    for (let i = 0; i < 4; i++) {
      b[o + i] = aad[i];
      b[o + 4 + i] = nc[8 + i];
    }
    for (let i = 0; i < ESP_IV_LEN; i++) b[o + ESP_HDR_LEN + i] = nc[4 + i];
    sa.stats.packets++;
    sa.stats.bytes += crp.len;
    this.stats.sent++;
    this.inet.output(n, src, dst, IPPROTO_ESP, job.opts);
  };
}
