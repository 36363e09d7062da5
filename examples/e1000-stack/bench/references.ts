/**
 * The hand-written references of the e1000-under-the-stack benchmarks (`index.ts`, `provider.ts`); the
 * UDP socket one is benchkit's {@link fusedUdpReference}, shared with the other drivers' `rx` cases.
 *
 * @module
 */
import { REFERENCE_SLOTS, destinedTo, fusedUdpReference, ipv4HeaderOk, referenceRing } from '@ifnet/benchkit';
import { ETHERTYPE_EXP, MAC, UDP_PORT, US } from '../src/rig.js';

/** Reference: copy + Ethernet dispatch. */
export function refSink(f: Uint8Array) {
  const bufs = referenceRing();
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (REFERENCE_SLOTS - 1)];
      b.set(f);
      if (destinedTo(b, MAC) && ((b[12] << 8) | b[13]) === ETHERTYPE_EXP) n++;
    }
    return n;
  };
}

/** Reference: copy + Ethernet dispatch + IPv4 checks and header checksum + UDP port demux, to this rig's host. */
export function refUdp(f: Uint8Array) {
  return fusedUdpReference(f, { mac: MAC, ip: US, port: UDP_PORT });
}

/**
 * Reference: one hand-written function that answers an echo request with the work the stack does, fused
 * and with nothing to dispatch — copy the request into a receive buffer; check the Ethernet destination
 * and type, the IPv4 version, header length, header checksum, total length, that the destination is us
 * and the source is not zero, multicast, class E or loopback; check the ICMP length, the ICMP checksum
 * over the whole message (RFC 792: the stack verifies it) and the type; build the reply in a transmit
 * buffer (MACs swapped, a fresh IPv4 header with a new identification, TTL 64 and its checksum, ICMP type
 * 0 with the checksum adjusted, RFC 1624) and copy it out to the wire (`wire`, at offset 0). No
 * allocation: the views of the frame in each buffer are made once. `test/references.test.ts` checks
 * that its reply is the stack's, byte for byte.
 */
export function refEcho(f: Uint8Array, us: number = US, wire: Uint8Array = new Uint8Array(2048)) {
  const len = f.length;
  const view = (ring: Uint8Array[]) => ring.map((b) => b.subarray(0, len));
  const rx = view(referenceRing());
  const tx = view(referenceRing());
  let ident = 1;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = rx[i & (REFERENCE_SLOTS - 1)];
      b.set(f);
      if (!destinedTo(b, MAC) || b[12] !== 0x08 || b[13] !== 0x00 || b[14] !== 0x45 || !ipv4HeaderOk(b)) continue;
      const ipLen = (b[16] << 8) | b[17];
      if (ipLen < 28 || ipLen > len - 14 || b[23] !== 1) continue;
      if (((b[30] << 24) | (b[31] << 16) | (b[32] << 8) | b[33]) !== (us | 0)) continue;
      const src0 = b[26];
      if (src0 === 0 || src0 === 127 || src0 >= 224) continue;
      // ICMP checksum over the message (IP header of 20 bytes checked above).
      let s = 0;
      const end = 14 + ipLen;
      let k = 34;
      for (; k + 1 < end; k += 2) s += (b[k] << 8) | b[k + 1];
      if (k < end) s += b[k] << 8;
      s = (s & 0xffff) + (s >>> 16);
      s = (s & 0xffff) + (s >>> 16);
      if (s !== 0xffff || b[34] !== 8) continue;
      const t = tx[i & (REFERENCE_SLOTS - 1)];
      t.set(b);
      for (let j = 0; j < 6; j++) {
        t[j] = b[6 + j];
        t[6 + j] = b[j];
      }
      // A fresh IPv4 header, as ip_output writes it.
      const id = ident;
      ident = (id + 1) & 0xffff;
      t[15] = 0;
      t[18] = id >>> 8;
      t[19] = id & 0xff;
      t[20] = 0;
      t[21] = 0;
      t[22] = 64;
      for (let j = 0; j < 4; j++) {
        t[26 + j] = b[30 + j];
        t[30 + j] = b[26 + j];
      }
      t[24] = 0;
      t[25] = 0;
      let h = 0;
      for (let j = 14; j < 34; j += 2) h += (t[j] << 8) | t[j + 1];
      h = (h & 0xffff) + (h >>> 16);
      h = ~((h & 0xffff) + (h >>> 16)) & 0xffff;
      t[24] = h >>> 8;
      t[25] = h & 0xff;
      t[34] = 0; // echo reply; checksum adjusted for the type change (RFC 1624)
      let c = ((t[36] << 8) | t[37]) + 0x0800;
      c = (c & 0xffff) + (c >>> 16);
      t[36] = c >>> 8;
      t[37] = c & 0xff;
      wire.set(t);
      n++;
    }
    return n;
  };
}

export const SINK_REFERENCE = 'fused: copy into ring + Ethernet dispatch';
export const ECHO_REFERENCE = 'hand-written single-function responder';
