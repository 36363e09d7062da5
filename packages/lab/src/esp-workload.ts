/**
 * The ESP receive workload of `ifnet lab offload` (seed 002): UDP datagrams in ESP transport mode
 * (RFC 4303, AES-GCM-128 per RFC 4106), each frame encrypted for real, at a constant rate into a NIC.
 *
 * Every frame differs (its sequence number is in the AAD, its explicit IV is the sequence number), so a
 * template with a stamped counter cannot do. Encrypting each frame as it is sent would cost a real AES-GCM
 * operation (about 25 µs of wall time with `@noble/ciphers`) for every *offered* frame, most of which the
 * NIC drops under overload. So frames are built once, by sequence number, into an {@link EspFrameBook}
 * that every run in the process shares: frame `n` is the same in every run (same key, salt, SPI and
 * payload), and a sweep encrypts each sequence number once.
 *
 * @module
 */
import { GCM_TAG_LEN, aesGcmInPlace, hexBytes } from '@ifnet/crypto';
import { ETHER_HDR_LEN } from '@ifnet/ether';
import { IPPROTO_UDP, UDP_HDR_LEN } from '@ifnet/inet';
import { type Clock, type HardwareTimer, type Nanoseconds, NS_PER_SEC } from '@ifnet/core';
import { Station } from '@ifnet/wire';
import { writeEtherIpv4Header } from './udp-frame.js';

/** IPv4 protocol number of ESP. */
const IPPROTO_ESP = 50;
const IP_HDR_LEN = 20;
const ESP_HDR_LEN = 8;
const ESP_IV_LEN = 8;

/** The workload's one SA, as `ip xfrm state add` would give it (the receiver installs the same). */
export const OFFLOAD_SA = {
  src: '10.0.0.9',
  dst: '10.0.0.2',
  spi: 0x1000,
  /** AES-128 key ‖ 4-byte salt (RFC 4106 section 8.1). */
  key: '0x000102030405060708090a0b0c0d0e0f' + 'cafebabe',
  sport: 5000,
  dport: 9,
  srcMac: '02:00:00:00:00:99',
  dstMac: '02:00:00:00:00:0b',
} as const;

/** Bytes of UDP payload in each datagram; the first 4 carry the frame's sequence number (for latency). */
export const OFFLOAD_UDP_PAYLOAD = 32;

/** Layout of one ESP frame for a UDP payload of `payload` bytes. */
export function espFrameLayout(payload: number): { frameLen: number; espPayload: number; padLen: number } {
  const inner = UDP_HDR_LEN + payload;
  // Payload + pad + pad length + next header, a multiple of 4 (RFC 4303 section 2.4).
  const padLen = (4 - ((inner + 2) & 3)) & 3;
  const espPayload = inner + padLen + 2;
  const frameLen = ETHER_HDR_LEN + IP_HDR_LEN + ESP_HDR_LEN + ESP_IV_LEN + espPayload + GCM_TAG_LEN;
  return { frameLen, espPayload, padLen };
}

/**
 * ESP frames by sequence number, built (and encrypted) on first use and kept. Sequence numbers start at 1
 * (RFC 4303: the first packet sent on an SA has sequence number 1). Frame `n` is
 * `Ethernet | IPv4 (proto 50) | SPI | seq n | IV = n (64-bit) | AES-GCM(UDP | payload | pad | pad length |
 * next header 17) | ICV`, the UDP payload starting with `n` (big-endian u32).
 */
export class EspFrameBook {
  readonly frameLen: number;
  private readonly espPayload: number;
  private readonly padLen: number;
  private readonly key: Uint8Array;
  private readonly salt: Uint8Array;
  private readonly header: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly aad = new Uint8Array(ESP_HDR_LEN);
  /** Frames 1..built, `frameLen` bytes each, in chunks of {@link CHUNK} frames. */
  private readonly chunks: Uint8Array[] = [];
  private built = 0;
  private static readonly CHUNK = 4096;

  constructor(readonly payload = OFFLOAD_UDP_PAYLOAD) {
    if (!Number.isInteger(payload) || payload < 4 || payload > 1400) throw new RangeError(`ESP payload ${payload}`);
    const l = espFrameLayout(payload);
    this.frameLen = l.frameLen;
    this.espPayload = l.espPayload;
    this.padLen = l.padLen;
    const k = hexBytes(OFFLOAD_SA.key.slice(2));
    this.key = k.subarray(0, 16);
    this.salt = k.subarray(16, 20);
    const h = new Uint8Array(ETHER_HDR_LEN + IP_HDR_LEN);
    writeEtherIpv4Header(h, {
      ...OFFLOAD_SA,
      protocol: IPPROTO_ESP,
      payloadLength: this.frameLen - ETHER_HDR_LEN - IP_HDR_LEN,
    });
    this.header = h;
  }

  /** Frame with sequence number `seq` (≥ 1) as an exact-length view, built now if it is new. */
  frame(seq: number): Uint8Array {
    while (this.built < seq) this.build(this.built + 1);
    const i = seq - 1;
    const chunk = this.chunks[Math.floor(i / EspFrameBook.CHUNK)];
    const off = (i % EspFrameBook.CHUNK) * this.frameLen;
    return chunk.subarray(off, off + this.frameLen);
  }

  /** Frames built so far (each encrypted once). */
  get size(): number {
    return this.built;
  }

  private build(seq: number): void {
    const c = Math.floor((seq - 1) / EspFrameBook.CHUNK);
    if (c === this.chunks.length) this.chunks.push(new Uint8Array(EspFrameBook.CHUNK * this.frameLen));
    const f = this.chunks[c];
    const o = ((seq - 1) % EspFrameBook.CHUNK) * this.frameLen;
    f.set(this.header, o);
    const v = new DataView(f.buffer, f.byteOffset + o, this.frameLen);
    const esp = ETHER_HDR_LEN + IP_HDR_LEN;
    v.setUint32(esp, OFFLOAD_SA.spi);
    v.setUint32(esp + 4, seq);
    v.setUint32(esp + 8, 0); // explicit IV: the 64-bit sequence number, unique per key (RFC 4106 section 3)
    v.setUint32(esp + 12, seq);
    const ct = esp + ESP_HDR_LEN + ESP_IV_LEN;
    v.setUint16(ct, OFFLOAD_SA.sport);
    v.setUint16(ct + 2, OFFLOAD_SA.dport);
    v.setUint16(ct + 4, UDP_HDR_LEN + this.payload);
    v.setUint16(ct + 6, 0); // no UDP checksum
    v.setUint32(ct + UDP_HDR_LEN, seq);
    for (let i = 4; i < this.payload; i++) f[o + ct + UDP_HDR_LEN + i] = i & 0xff;
    const trailer = ct + UDP_HDR_LEN + this.payload;
    for (let i = 0; i < this.padLen; i++) f[o + trailer + i] = i + 1;
    f[o + trailer + this.padLen] = this.padLen;
    f[o + trailer + this.padLen + 1] = IPPROTO_UDP;
    this.nonce.set(this.salt, 0);
    this.nonce.set(f.subarray(o + esp + ESP_HDR_LEN, o + esp + ESP_HDR_LEN + ESP_IV_LEN), 4);
    this.aad.set(f.subarray(o + esp, o + esp + ESP_HDR_LEN));
    aesGcmInPlace(true, this.key, this.nonce, this.aad, f, o + ct, this.espPayload);
    this.built = seq;
  }
}

let sharedBook: EspFrameBook | null = null;

/** The process-wide book for the default payload (a sweep's runs share it). */
export function sharedEspFrameBook(): EspFrameBook {
  sharedBook ??= new EspFrameBook();
  return sharedBook;
}

/**
 * A constant-rate source of the book's frames, sequence numbers 1, 2, 3, … — the far end of the NIC's
 * port, as `@ifnet/wire`'s `TrafficSource` is for template frames. `offered` counts frames sent, `refused`
 * those the medium did not take.
 */
export class EspSource extends Station {
  offered = 0;
  refused = 0;
  private readonly timer: HardwareTimer;
  private readonly period: Nanoseconds;
  private t0: Nanoseconds = 0;
  private running = false;

  constructor(
    clock: Clock,
    private readonly book: EspFrameBook,
    readonly rate: number,
  ) {
    super('esp-source');
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`esp-source: rate ${rate}`);
    this.period = NS_PER_SEC / rate;
    this.timer = clock.createTimer('esp-source', () => this.fire());
  }

  /** Arrival time of the frame with sequence number `seq` (for latency). */
  arrival(seq: number): Nanoseconds {
    return this.t0 + Math.round((seq - 1) * this.period);
  }

  start(at: Nanoseconds): void {
    this.running = true;
    this.t0 = at;
    this.timer.arm(at);
  }

  stop(): void {
    this.running = false;
    this.timer.cancel();
  }

  private fire(): void {
    if (!this.running) return;
    const f = this.book.frame(this.offered + 1);
    this.offered++;
    if (!this.emit(f, 0, f.length)) this.refused++;
    this.timer.arm(this.arrival(this.offered + 1));
  }

  wireReceive(): void {}
}
