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

/** Reference: one function that answers an echo request — copy in, check, build the reply, copy out. */
export function refEcho(f: Uint8Array) {
  const rx = referenceRing();
  const tx = referenceRing();
  const wire = new Uint8Array(2048);
  const len = f.length;
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = rx[i & (REFERENCE_SLOTS - 1)];
      b.set(f);
      if (!destinedTo(b, MAC) || b[12] !== 0x08 || b[13] !== 0x00 || b[14] !== 0x45 || !ipv4HeaderOk(b)) continue;
      if (b[23] !== 1 || b[34] !== 8) continue;
      const t = tx[i & (REFERENCE_SLOTS - 1)];
      t.set(b.subarray(0, len));
      for (let k = 0; k < 6; k++) {
        t[k] = b[6 + k];
        t[6 + k] = b[k];
      }
      for (let k = 0; k < 4; k++) {
        t[26 + k] = b[30 + k];
        t[30 + k] = b[26 + k];
      }
      t[34] = 0; // echo reply; checksum adjusted for the type change (RFC 1624)
      let c = ((t[36] << 8) | t[37]) + 0x0800;
      c = (c & 0xffff) + (c >>> 16);
      t[36] = c >>> 8;
      t[37] = c & 0xff;
      wire.set(t.subarray(0, len));
      n++;
    }
    return n;
  };
}

export const SINK_REFERENCE = 'fused: copy into ring + Ethernet dispatch';
export const ECHO_REFERENCE = 'hand-written single-function responder';
