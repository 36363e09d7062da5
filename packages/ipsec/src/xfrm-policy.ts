import { parsePrefix } from '@ifnet/inet';

/**
 * The parameters of `ip xfrm policy add` this package accepts:
 * `ip xfrm policy add src A dst B dir out tmpl src A dst B proto esp reqid 1 mode transport`.
 * `src`/`dst` are prefixes (`10.0.0.1` or `10.0.0.0/24`).
 */
export interface XfrmPolicySpec {
  src: string;
  dst: string;
  dir: 'in' | 'out';
  tmpl: { src: string; dst: string; proto: 'esp'; reqid?: number; mode: 'transport' };
}

/** A security policy (`struct xfrm_policy` / `struct secpolicy`), matched on source and destination. */
export class XfrmPolicy {
  readonly srcNet: number;
  readonly srcMask: number;
  readonly dstNet: number;
  readonly dstMask: number;
  readonly reqid: number;

  constructor(readonly spec: XfrmPolicySpec) {
    if (spec.tmpl.proto !== 'esp' || spec.tmpl.mode !== 'transport') {
      throw new Error('xfrm policy: only tmpl proto esp mode transport is supported');
    }
    const s = parsePrefix(spec.src.includes('/') ? spec.src : `${spec.src}/32`);
    const d = parsePrefix(spec.dst.includes('/') ? spec.dst : `${spec.dst}/32`);
    this.srcMask = s.mask;
    this.srcNet = (s.addr & s.mask) >>> 0;
    this.dstMask = d.mask;
    this.dstNet = (d.addr & d.mask) >>> 0;
    this.reqid = spec.tmpl.reqid ?? 0;
  }

  matches(src: number, dst: number): boolean {
    return (src & this.srcMask) >>> 0 === this.srcNet && (dst & this.dstMask) >>> 0 === this.dstNet;
  }
}
