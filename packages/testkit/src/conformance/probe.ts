/**
 * The kit's probe protocol and frames. The probe is an ordinary protocol on the IEEE local experimental
 * ethertype 0x88B5: what reaches it went through the driver, `if_input` and the link layer's dispatch.
 * Kit frames carry a magic, a sequence number and a byte pattern derived from both, so corruption,
 * duplication and loss are all visible.
 *
 * @module
 */
import { type Host, type Ifnet, type Mbuf, m_copydata } from '@ifnet/core';
import { INJECTED } from './observer.js';

export const ETHERTYPE_PROBE = 0x88b5;
const MAGIC = 0x4946544b; // 'IFTK'
/** Offset of the payload in a kit frame (after the Ethernet header). */
const PAYLOAD = 14;
/** Payload kinds: plain data, or an instruction to the probe. */
export const KIND_DATA = 0;
export const KIND_THROW = 1;
export const KIND_DOWN = 2;

/** Parses `aa:bb:cc:dd:ee:ff`. */
export function macBytes(s: string): Uint8Array {
  return Uint8Array.from(s.split(':'), (x) => Number.parseInt(x, 16));
}

export function formatMac(a: Uint8Array): string {
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A kit frame of `len` bytes (no FCS; at least 60) from `src` to `dst`. */
export function probeFrame(dst: Uint8Array, src: Uint8Array, seq: number, len: number, kind = KIND_DATA): Uint8Array {
  const f = new Uint8Array(Math.max(len, 60));
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = ETHERTYPE_PROBE >>> 8;
  f[13] = ETHERTYPE_PROBE & 0xff;
  const v = new DataView(f.buffer);
  v.setUint32(PAYLOAD, MAGIC);
  v.setUint32(PAYLOAD + 4, seq >>> 0);
  f[PAYLOAD + 8] = kind;
  for (let i = PAYLOAD + 9; i < f.length; i++) f[i] = (seq + i) & 0xff;
  return f;
}

/** Checks a kit payload (from the Ethernet payload on): returns its sequence number, or a reason it is bad. */
export function parseProbePayload(p: Uint8Array, off: number, len: number): { seq: number; kind: number } | string {
  if (len < 9) return `payload of ${len} bytes is shorter than the kit's 9-byte header`;
  const v = new DataView(p.buffer, p.byteOffset);
  if (v.getUint32(off) !== MAGIC) return 'payload does not start with the kit magic';
  const seq = v.getUint32(off + 4);
  for (let i = 9; i < len; i++) {
    if (p[off + i] !== ((seq + i + PAYLOAD) & 0xff)) return `payload byte ${i} of frame ${seq} is corrupt`;
  }
  return { seq, kind: p[off + 8] };
}

/** What the probe saw on one interface. */
export interface ProbeLog {
  seqs: number[];
  corrupt: string[];
}

/**
 * The probe: records deliveries per interface name and frees each packet. `onThrow` and `onDown` packets
 * make it throw (after freeing the mbuf: the exception must not be blamed on a leak) or close the interface
 * from inside the running poll.
 */
export class Probe {
  readonly logs = new Map<string, ProbeLog>();
  private readonly scratch = new Uint8Array(16384);
  /** Set by a KIND_DOWN packet: the promise `ifp.down()` returned, and whether it has resolved. */
  downDone: Promise<void> | undefined;

  log(ifname: string): ProbeLog {
    let l = this.logs.get(ifname);
    if (l === undefined) {
      l = { seqs: [], corrupt: [] };
      this.logs.set(ifname, l);
    }
    return l;
  }

  attach(host: Host): void {
    host.ethertypes.register(ETHERTYPE_PROBE, 'testkit-probe', (m: Mbuf, off: number, ifp: Ifnet) => {
      const len = Math.min(m.pkthdr.len - off, this.scratch.length);
      m_copydata(m, off, len, this.scratch, 0);
      m.pool.freem(m);
      const log = this.log(ifp.name);
      const r = parseProbePayload(this.scratch, 0, len);
      if (typeof r === 'string') {
        log.corrupt.push(r);
        return;
      }
      log.seqs.push(r.seq);
      if (r.kind === KIND_THROW) throw new Error(`${INJECTED} by the probe protocol inside if_input`);
      if (r.kind === KIND_DOWN) this.downDone = ifp.down();
    });
  }
}
