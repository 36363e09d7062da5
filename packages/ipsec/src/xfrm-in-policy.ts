import { DropCounter, type Ifnet, type Mbuf } from '@ifnet/core';
import { IP_DST, IP_SRC } from '@ifnet/inet';
import type { XfrmPolicy } from './xfrm-policy.js';
import type { XfrmState } from './xfrm-state.js';

/**
 * Drop reasons of inbound policy enforcement, named after the Linux counters of `/proc/net/xfrm_stat`
 * they mirror.
 */
export const XfrmInDrop = {
  /** `XfrmInNoPols`: no inbound policy covers the datagram and the default inbound policy is `block`. */
  noPolicy: 'xfrm.in.nopols',
  /**
   * `XfrmInTmplMismatch`: a policy covers the datagram but it did not arrive the way the template asks —
   * in clear where ESP is required, or through an SA whose reqid/SPI the template does not name.
   */
  tmplMismatch: 'xfrm.in.tmplmismatch',
  /** `XfrmInPolBlock`: the covering policy's action is `block`. */
  polBlock: 'xfrm.in.polblock',
} as const;
export type XfrmInDropReason = (typeof XfrmInDrop)[keyof typeof XfrmInDrop];

/**
 * Inbound policy enforcement (Linux `__xfrm_policy_check`, BSD `ipsec4_in_reject`): after IP input has
 * reassembled a datagram for us, and after ESP has decrypted one, the first `dir in` policy whose
 * selector covers it decides. No policy: accepted, unless the default (`ip xfrm policy setdefault in
 * block`) blocks. A policy with `action block`: dropped. A policy with a template: the datagram must have
 * come through an SA the template accepts; a clear datagram never does. A policy without a template lets
 * it through either way (Linux tolerates extra transport-mode SAs).
 *
 * Only the addresses are read (from the IP header at `m.off`, contiguous after IP input and ESP); nothing
 * allocates. A refused datagram is counted here and on the interface, and freed.
 */
export class XfrmInboundPolicy {
  /** `dir in` policies in insertion order; the first match wins. */
  readonly policies: XfrmPolicy[] = [];
  /** `ip xfrm policy setdefault in block`: what happens to a datagram no policy covers. */
  defaultBlock = false;
  readonly drop: DropCounter<XfrmInDropReason>;

  constructor(readonly drops: Record<string, number> = {}) {
    this.drop = new DropCounter<XfrmInDropReason>(drops);
  }

  /** Whether the check can refuse anything at all (no policy and an accepting default: nothing to do). */
  get active(): boolean {
    return this.defaultBlock || this.policies.length > 0;
  }

  /**
   * The verdict for a datagram from `src` to `dst` that came through `sa` (null: in clear): null to
   * accept, else the drop reason.
   */
  verdict(src: number, dst: number, sa: XfrmState | null): XfrmInDropReason | null {
    const ps = this.policies;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (!p.matches(src, dst)) continue;
      if (p.block) return XfrmInDrop.polBlock;
      if (!p.protect) return null;
      return sa !== null && p.acceptsState(sa) ? null : XfrmInDrop.tmplMismatch;
    }
    return this.defaultBlock ? XfrmInDrop.noPolicy : null;
  }

  /**
   * Checks `m` (IP header at offset 0, contiguous) that arrived on `ifp` through `sa` (null: in clear).
   * Returns true when it was refused: counted, freed, the caller no longer owns it. False: the caller
   * keeps `m` and delivers it.
   */
  reject(m: Mbuf, ifp: Ifnet, sa: XfrmState | null): boolean {
    if (!this.active) return false;
    const v = m.view;
    const o = m.off;
    const reason = this.verdict(v.getInt32(o + IP_SRC), v.getInt32(o + IP_DST), sa);
    if (reason === null) return false;
    if (sa !== null) sa.stats.policyReject++;
    this.drop.dropInput(m, ifp, reason);
    return true;
  }
}
