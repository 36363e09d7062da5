/**
 * The echo reply's checksum: ICMP updates the request's checksum incrementally (RFC 1624, eqn. 3) for
 * the type change instead of summing the message again. These tests hold every reply to the checksum a
 * full recompute gives (the test kit's own RFC 1071 sum, not inet's), bit for bit: over seeded random
 * requests, and over the edge cases of one's complement arithmetic — a request whose checksum is 0x0000,
 * the same request carrying 0xFFFF (the other zero, which a receiver must accept), a reply whose
 * checksum comes out 0x0000, and the all-zero reply (checksum 0xFFFF), which eqn. 3 alone gets wrong.
 */
import { internetChecksum, onesComplementSum } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { IPPROTO_ICMP } from '../src/index.js';
import { channelWorld, ipPacket } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';
const IP_HLEN = 20;

/** A small deterministic PRNG (xorshift32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** ICMP message bytes: type, code, checksum (computed by the test kit, or `cksum` as given), id/seq, data. */
function icmp(type: number, code: number, rest: number, data: Uint8Array, cksum?: number): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b[0] = type;
  b[1] = code;
  new DataView(b.buffer).setUint32(4, rest >>> 0);
  b.set(data, 8);
  const c = cksum ?? internetChecksum(b);
  b[2] = c >>> 8;
  b[3] = c & 0xff;
  return b;
}

/**
 * Data of `size` bytes (even, >= 2) whose last 16-bit word makes the one's complement sum of the message
 * of `type` (checksum field 0) come out `target`.
 */
function dataSumming(type: number, code: number, rest: number, size: number, target: number, fill: number): Uint8Array {
  const data = new Uint8Array(size).map((_, i) => (i * 31 + fill) & 0xff);
  data[size - 2] = 0;
  data[size - 1] = 0;
  const s0 = onesComplementSum(icmp(type, code, rest, data, 0));
  // s0 + w ≡ target (mod 0xffff, end-around carry): w = target - s0 in one's complement.
  let w = target - s0;
  if (w < 0) w += 0xffff;
  data[size - 2] = w >>> 8;
  data[size - 1] = w & 0xff;
  expect(onesComplementSum(icmp(type, code, rest, data, 0))).toBe(target === 0 ? 0xffff : target);
  return data;
}

let world: ReturnType<typeof channelWorld> | undefined;

/** Sends the echo request `msg` to the host (one for the file) and returns the ICMP message of its reply. */
function reflect(msg: Uint8Array): Uint8Array {
  world ??= channelWorld(US);
  const { ch } = world;
  expect(ch.inject(ipPacket({ src: PEER, dst: US, proto: IPPROTO_ICMP }, msg))).toBe(true);
  const sent = ch.sent.splice(0);
  expect(sent.length).toBe(1);
  return sent[0].bytes.subarray(IP_HLEN);
}

/** The reply is the request with type 0 and a checksum exactly as a full recompute gives it. */
function expectExactReply(request: Uint8Array, reply: Uint8Array): void {
  expect(reply.length).toBe(request.length);
  expect(reply[0]).toBe(0);
  expect(Array.from(reply.subarray(4))).toEqual(Array.from(request.subarray(4)));
  expect(reply[1]).toBe(request[1]);
  const zeroed = reply.slice();
  zeroed[2] = 0;
  zeroed[3] = 0;
  expect((reply[2] << 8) | reply[3]).toBe(internetChecksum(zeroed));
  expect(onesComplementSum(reply)).toBe(0xffff);
}

describe('ICMP echo reply checksum (RFC 1624 incremental update)', () => {
  it('equals a full recompute over seeded random requests (sizes, codes, ids, data)', () => {
    const r = rng(1624);
    for (let k = 0; k < 300; k++) {
      const size = Math.floor(r() * 120);
      const code = r() < 0.8 ? 0 : Math.floor(r() * 256);
      const rest = Math.floor(r() * 0x1_0000_0000);
      const data = new Uint8Array(size).map(() => Math.floor(r() * 256));
      const request = icmp(8, code, rest, data);
      expectExactReply(request, reflect(request));
    }
  });

  it('answers a request whose checksum is 0x0000, and the same request carrying 0xFFFF', () => {
    for (const code of [0, 1, 0xff]) {
      const data = dataSumming(8, code, 0x1234_0001, 16, 0xffff, code);
      const request = icmp(8, code, 0x1234_0001, data);
      expect((request[2] << 8) | request[3]).toBe(0x0000);
      expectExactReply(request, reflect(request));
      const negZero = icmp(8, code, 0x1234_0001, data, 0xffff);
      expect(onesComplementSum(negZero)).toBe(0xffff); // still a valid checksum
      expectExactReply(negZero, reflect(negZero));
    }
  });

  it('sends 0x0000 when the reply sums to 0xFFFF (never the other zero)', () => {
    for (const code of [0, 7]) {
      const data = dataSumming(0, code, 0xbeef_0002, 20, 0xffff, 3);
      const request = icmp(8, code, 0xbeef_0002, data);
      const reply = reflect(request);
      expect((reply[2] << 8) | reply[3]).toBe(0x0000);
      expectExactReply(request, reply);
    }
  });

  it('sends 0xFFFF for the all-zero reply (sum +0), where eqn. 3 alone would give 0x0000', () => {
    // Type 0, code 0, id 0, sequence 0 and zero data: the one message whose sum is +0, not −0. Its full
    // recompute is 0xFFFF; 0x0000 would fail every receiver's verification.
    for (const size of [0, 6, 7, 64]) {
      const request = icmp(8, 0, 0, new Uint8Array(size));
      const reply = reflect(request);
      expect((reply[2] << 8) | reply[3]).toBe(0xffff);
      expectExactReply(request, reply);
    }
    // Not all zero (a single bit in the last byte): the ordinary answer.
    const data = new Uint8Array(7);
    data[6] = 1;
    const request = icmp(8, 0, 0, data);
    expectExactReply(request, reflect(request));
  });
});
