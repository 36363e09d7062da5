import { type Host, HostState, type Platform, type ProtocolModule } from '@ifnet/core';
import { type CryptoFramework, cryptoFramework } from '@ifnet/crypto';
import { type Inet, inetFor } from '@ifnet/inet';
import { EspInput, IPPROTO_ESP } from './esp-input.js';
import { type XfrmState, type XfrmStateSpec, createXfrmState } from './xfrm-state.js';

/**
 * A host's IPsec instance: the SA database (`ip xfrm state`) and ESP input on IPv4 protocol 50.
 * Reach it with {@link ipsecFor}.
 */
export class Ipsec {
  readonly sad = new Map<number, XfrmState>();
  readonly fw: CryptoFramework;
  readonly esp: EspInput;

  constructor(
    readonly inet: Inet,
    options: { jobs?: number } = {},
  ) {
    this.fw = cryptoFramework(inet.host);
    this.esp = new EspInput(inet, this.fw, this.sad, options.jobs ?? 64);
  }

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
