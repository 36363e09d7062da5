import { parsePrefix } from '@ifnet/inet';
import type { XfrmState } from './xfrm-state.js';

/**
 * The template of a policy (`tmpl ...` of `ip xfrm policy add`): what must protect the traffic. In
 * transport mode `src`/`dst` are informational (Linux compares addresses for tunnel mode only); `reqid`
 * (0: any) and `spi` (0: any) select the SA.
 */
export interface XfrmTmplSpec {
  src: string;
  dst: string;
  proto: 'esp';
  spi?: number;
  reqid?: number;
  mode: 'transport';
}

/**
 * The parameters of `ip xfrm policy add` this package accepts:
 * `ip xfrm policy add src A dst B dir out [action allow|block] tmpl src A dst B proto esp reqid 1 mode transport`.
 * `src`/`dst` are prefixes (`10.0.0.1` or `10.0.0.0/24`). `tmpl` may be left out only with `action block`,
 * or for an `allow` policy that lets the traffic through in clear.
 */
export interface XfrmPolicySpec {
  src: string;
  dst: string;
  dir: 'in' | 'out';
  /** `allow` (default) or `block` (Linux `XFRM_POLICY_BLOCK`: the traffic is dropped, counted). */
  action?: 'allow' | 'block';
  tmpl?: XfrmTmplSpec;
}

/**
 * A security policy (`struct xfrm_policy` / `struct secpolicy`), matched on source and destination.
 * Networks and masks are kept as int32 (`| 0`) so that matching an address above 2^31 on the data path
 * boxes nothing.
 */
export class XfrmPolicy {
  readonly srcNet: number;
  readonly srcMask: number;
  readonly dstNet: number;
  readonly dstMask: number;
  /** `tmpl reqid` (0: any SA). */
  readonly reqid: number;
  /** `tmpl spi` (0: any SA). */
  readonly spi: number;
  readonly block: boolean;
  /** Whether the policy asks for ESP (has a template). */
  readonly protect: boolean;

  constructor(readonly spec: XfrmPolicySpec) {
    if (spec.dir !== 'in' && spec.dir !== 'out')
      throw new Error(`xfrm policy: dir ${spec.dir} not supported (in, out)`);
    const action = spec.action ?? 'allow';
    if (action !== 'allow' && action !== 'block') throw new Error(`xfrm policy: action ${action} (allow or block)`);
    const t = spec.tmpl;
    if (t !== undefined && (t.proto !== 'esp' || t.mode !== 'transport')) {
      throw new Error('xfrm policy: only tmpl proto esp mode transport is supported');
    }
    const s = parsePrefix(spec.src.includes('/') ? spec.src : `${spec.src}/32`);
    const d = parsePrefix(spec.dst.includes('/') ? spec.dst : `${spec.dst}/32`);
    this.srcMask = s.mask | 0;
    this.srcNet = s.addr & s.mask;
    this.dstMask = d.mask | 0;
    this.dstNet = d.addr & d.mask;
    this.reqid = t?.reqid ?? 0;
    this.spi = (t?.spi ?? 0) | 0;
    this.block = action === 'block';
    this.protect = t !== undefined;
  }

  /** Whether the selector covers a datagram from `src` to `dst` (uint32 or int32 alike). */
  matches(src: number, dst: number): boolean {
    return (src & this.srcMask) === this.srcNet && (dst & this.dstMask) === this.dstNet;
  }

  /**
   * Whether `sa` satisfies the template (Linux `xfrm_state_ok` for transport mode: protocol and mode by
   * construction, `reqid` and `spi` when the template names them).
   */
  acceptsState(sa: XfrmState): boolean {
    return (this.reqid === 0 || sa.reqid === this.reqid) && (this.spi === 0 || (sa.spi | 0) === this.spi);
  }
}
