import { type Host, HostState, type Platform, type ProtocolModule } from '@ifnet/core';
import { type CryptoFramework, cryptoFramework } from '@ifnet/crypto';
import { type Inet, type IpOutputOptions, inetFor } from '@ifnet/inet';
import type { Ifnet, Mbuf } from '@ifnet/core';
import { EspInput, IPPROTO_ESP } from './esp-input.js';
import { EspOutDrop, EspOutput } from './esp-output.js';
import { XfrmInboundPolicy } from './xfrm-in-policy.js';
import { XfrmPolicy, type XfrmPolicySpec } from './xfrm-policy.js';
import { type XfrmState, type XfrmStateSpec, createXfrmState } from './xfrm-state.js';

/**
 * A host's IPsec instance: the SA database (`ip xfrm state`), the policies (`ip xfrm policy`), ESP input on
 * IPv4 protocol 50, ESP output through inet's output hook and inbound policy enforcement through its input
 * hook. Reach it with {@link ipsecFor}.
 */
export class Ipsec {
  readonly sad = new Map<number, XfrmState>();
  readonly fw: CryptoFramework;
  readonly esp: EspInput;
  readonly espOut: EspOutput;
  /** Outbound policies (`dir out`), in insertion order; the first match wins. */
  readonly outPolicies: XfrmPolicy[] = [];
  /** Inbound policies (`dir in`) and their enforcement (`xfrm.in.*` drops). */
  readonly inPolicy = new XfrmInboundPolicy();

  constructor(
    readonly inet: Inet,
    options: { jobs?: number } = {},
  ) {
    this.fw = cryptoFramework(inet.host);
    this.esp = new EspInput(inet, this.fw, this.sad, options.jobs ?? 64);
    this.espOut = new EspOutput(inet, this.fw, options.jobs ?? 64);
    inet.outputHook = this.outputHook;
    inet.inputHook = this.inputHook;
    this.esp.inPolicy = this.inPolicy;
  }

  /** Inbound policies (`dir in`), in insertion order; the first match wins. */
  get inPolicies(): readonly XfrmPolicy[] {
    return this.inPolicy.policies;
  }

  /** `ip xfrm policy add`. */
  addPolicy(spec: XfrmPolicySpec): XfrmPolicy {
    const p = new XfrmPolicy(spec);
    (spec.dir === 'out' ? this.outPolicies : this.inPolicy.policies).push(p);
    return p;
  }

  /**
   * `ip xfrm policy setdefault in|out block|accept` (Linux 5.17): what happens to traffic no policy covers.
   * Only `in` is implemented: `block` refuses every datagram no inbound policy covers (`xfrm.in.nopols`).
   */
  setDefaultPolicy(dir: 'in', action: 'block' | 'accept'): void {
    if (dir !== 'in') throw new Error(`xfrm policy setdefault: dir ${dir} not supported (in)`);
    this.inPolicy.defaultBlock = action === 'block';
  }

  /** IP input's security hook: clear datagrams (ESP itself excepted) against the inbound policies. */
  private readonly inputHook = (m: Mbuf, _hlen: number, proto: number, ifp: Ifnet): boolean =>
    proto !== IPPROTO_ESP && this.inPolicy.reject(m, ifp, null);

  /** The SA for an outbound policy's template: same addresses, the template's reqid/SPI (when given), alive. */
  private stateFor(p: XfrmPolicy, src: number, dst: number): XfrmState | undefined {
    for (const sa of this.sad.values()) {
      if (sa.src === src >>> 0 && sa.dst === dst >>> 0 && p.acceptsState(sa) && !sa.dead) {
        return sa;
      }
    }
    return undefined;
  }

  /** IP output's security hook: ESP-protect what an outbound policy matches (never ESP itself). */
  private readonly outputHook = (m: Mbuf, src: number, dst: number, proto: number, opts: IpOutputOptions): boolean => {
    if (proto === IPPROTO_ESP || this.outPolicies.length === 0) return false;
    const s = src !== 0 ? src : this.inet.selectSource(dst);
    for (const p of this.outPolicies) {
      if (!p.matches(s, dst)) continue;
      if (p.block) {
        this.espOut.drop.dropOutput(m, null, EspOutDrop.polBlock);
        return true;
      }
      if (!p.protect) return false;
      const sa = this.stateFor(p, s, dst);
      if (sa === undefined) {
        // Linux: a policy without a state blocks the flow (XfrmOutNoStates); so do we.
        this.espOut.drop.dropOutput(m, null, EspOutDrop.noState);
        return true;
      }
      this.espOut.output(m, sa, s, dst, proto, opts);
      return true;
    }
    return false;
  };

  /** `ip xfrm state add`. Throws on a duplicate SPI or bad parameters. */
  addState(spec: XfrmStateSpec): XfrmState {
    if (this.sad.has(spec.spi >>> 0)) throw new Error(`xfrm state: spi 0x${spec.spi.toString(16)} exists`);
    const sa = createXfrmState(this.fw, spec);
    this.sad.set(sa.spi, sa);
    return sa;
  }

  /**
   * `ip xfrm state delete`: the SA stops matching at once; jobs in flight for it complete and are dropped
   * (`esp.sadeleted`) with their mbufs freed.
   */
  deleteState(spi: number): boolean {
    const sa = this.sad.get(spi >>> 0);
    if (sa === undefined) return false;
    sa.dead = true;
    this.sad.delete(sa.spi);
    this.fw.freeSession(sa.session);
    return true;
  }
}

export const IPSEC_STATE: HostState<Ipsec> = new HostState<Ipsec>(
  '@ifnet/ipsec:IPSEC',
  '@ifnet/ipsec is not attached (call registerIpsec(platform) before createHost)',
);

/** The host's IPsec instance (the `ipsec` protocol module must be registered). */
export function ipsecFor(host: Host): Ipsec {
  return IPSEC_STATE.of(host);
}

/** The `ipsec` protocol module: ESP registered for IPv4 protocol 50 like any third-party protocol. */
export const ipsecModule: ProtocolModule = {
  name: 'ipsec',
  requires: ['inet'],
  attach(host: Host) {
    const inet = inetFor(host);
    const ipsec = IPSEC_STATE.register(host, new Ipsec(inet));
    inet.protocols.register(IPPROTO_ESP, 'esp', ipsec.esp.input);
  },
};

/** Registers the `ipsec` module on a platform (after `registerInet`). */
export function registerIpsec(platform: Platform): Platform {
  platform.registerProtocol(ipsecModule);
  return platform;
}
