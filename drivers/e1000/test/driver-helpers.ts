/**
 * Helpers for driver-level tests: platforms with Ethernet, the `wm` driver and a test protocol on the
 * IEEE local experimental ethertype 0x88B5, hosts with one e1000 each.
 *
 * These are written so that a driver conformance kit can later take them over: a test needs only
 * `makePlatform` (what to register), `addNic` (how to get an interface on a device) and the
 * `ExperimentalProtocol` sink, all of which name no e1000 internals beyond the driver descriptor.
 */
import {
  type AllocationGuardMode,
  type CostProfile,
  type Host,
  type Ifnet,
  type Mbuf,
  type MitigationPolicyFactory,
  type Platform,
  type Simulation,
  createPlatform,
  m_copydata,
} from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { E1000Device, type WmSoftc, type E1000Options, registerE1000 } from '../src/index.js';

export const ETHERTYPE_EXP = 0x88b5;

/** What the test protocol saw on one host. */
export class ProtocolLog {
  packets = 0;
  bytes = 0;
  /** Payloads kept (when `keep`), with the interface and time. */
  readonly payloads: { ifname: string; at: number; bytes: Uint8Array }[] = [];
  keep = true;
  /** Per-packet layer costs charged by the protocol (e.g. `['udp', 'socket']` to model real work). */
  layers: string[] = [];
}

/** Per-host logs of the experimental protocol, by host name. */
export class ExperimentalProtocol {
  readonly logs = new Map<string, ProtocolLog>();

  log(host: Host | string): ProtocolLog {
    const name = typeof host === 'string' ? host : host.name;
    let l = this.logs.get(name);
    if (l === undefined) {
      l = new ProtocolLog();
      this.logs.set(name, l);
    }
    return l;
  }

  /** Registers the protocol on a platform: every host gets an input on 0x88B5 that logs and frees. */
  register(platform: Platform): void {
    const self = this;
    platform.registerProtocol({
      name: 'test-experimental',
      attach(host: Host) {
        const log = self.log(host);
        host.ethertypes.register(ETHERTYPE_EXP, 'experimental', (m: Mbuf, off: number, ifp: Ifnet) => {
          for (let i = 0; i < log.layers.length; i++) host.cpu.chargeLayer(log.layers[i]);
          log.packets++;
          const len = m.pkthdr.len - off;
          log.bytes += len;
          if (log.keep) {
            const bytes = new Uint8Array(len);
            m_copydata(m, off, len, bytes, 0);
            log.payloads.push({ ifname: ifp.name, at: host.now(), bytes });
          }
          m.pool.freem(m);
        });
      },
    });
  }
}

export interface PlatformSetup {
  platform: Platform;
  proto: ExperimentalProtocol;
}

/** A platform with Ethernet, the experimental protocol and the `wm` driver (with `options`). */
export function makePlatform(options?: E1000Options): PlatformSetup {
  const platform = createPlatform();
  registerEther(platform);
  const proto = new ExperimentalProtocol();
  proto.register(platform);
  registerE1000(platform, options);
  return { platform, proto };
}

export interface HostOptionsLite {
  hz?: number;
  costs?: CostProfile;
  mitigationPolicy?: MitigationPolicyFactory;
  mbufs?: { mbufs?: number; clusters?: number };
  allocationGuard?: AllocationGuardMode;
}

export interface Nic {
  host: Host;
  dev: E1000Device;
  sc: WmSoftc;
  ifp: Ifnet;
}

/** A host with one e1000 (MAC `mac`), attached by autoconfiguration. The interface is not up yet. */
export function addNic(
  sim: Simulation,
  setup: PlatformSetup,
  name: string,
  mac: string,
  options: HostOptionsLite = {},
): Nic {
  const host = setup.platform.createHost({ name, runner: sim, loopback: false, ...options });
  const dev = new E1000Device({ mac });
  host.attachDevice(dev);
  const attached = host.autoconf();
  if (attached.length !== 1 || attached[0].driverName !== 'wm') throw new Error('wm did not attach');
  const sc = attached[0].driver as WmSoftc;
  return { host, dev, sc, ifp: sc.ifp };
}

/** A packet with `payload` in a fresh mbuf of `host`'s pool (leading space left for the link header). */
export function packet(host: Host, payload: Uint8Array): Mbuf {
  const m = host.pool.getcl()!;
  m.off = 64;
  m.buf.set(payload, m.off);
  m.len = payload.length;
  m.pkthdr.len = payload.length;
  return m;
}

export function mac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':'), (x) => Number.parseInt(x, 16));
}

/** Sum of all named drops of an interface. */
export function totalDrops(ifp: Ifnet): number {
  let n = 0;
  for (const k of Object.keys(ifp.counters.drops)) n += ifp.counters.drops[k];
  return n;
}
