/**
 * Helpers for driver-level tests: a platform with Ethernet, the `ne` driver (and `wm`, for mixed pairs),
 * a test protocol on the IEEE local experimental ethertype 0x88B5 that records what it receives, and
 * hosts with one card each. A conformance kit can take these over: a test needs only `makePlatform`,
 * `addNe` and the protocol log.
 */
import {
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
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { registerInet } from '@ifnet/inet';
import {
  Ne2000Device,
  type Ne2000DeviceOptions,
  type Ne2000Driver,
  type Ne2000Options,
  registerNe2000,
} from '../src/index.js';

export const ETHERTYPE_EXP = 0x88b5;

/** What the test protocol saw on one host. */
export interface ProtocolLog {
  packets: number;
  bytes: number;
  /** Payloads kept when `keep` is set. */
  payloads: Uint8Array[];
  keep: boolean;
  /** Per-packet layer costs charged by the protocol (e.g. `['app']` for a slow consumer). */
  layers: string[];
}

export interface Setup {
  platform: Platform;
  logs: Map<string, ProtocolLog>;
  log(host: Host): ProtocolLog;
}

/** Ethernet, IPv4 (when `inet`), the experimental protocol, `ne` (with `options`) and `wm`. */
export function makePlatform(options?: Ne2000Options, inet = false): Setup {
  const platform = createPlatform();
  registerEther(platform);
  if (inet) registerInet(platform);
  registerNe2000(platform, options);
  registerE1000(platform);
  const logs = new Map<string, ProtocolLog>();
  const log = (host: Host): ProtocolLog => {
    let l = logs.get(host.name);
    if (l === undefined) {
      l = { packets: 0, bytes: 0, payloads: [], keep: true, layers: [] };
      logs.set(host.name, l);
    }
    return l;
  };
  platform.registerProtocol({
    name: 'test-experimental',
    attach(host: Host) {
      const l = log(host);
      host.ethertypes.register(ETHERTYPE_EXP, 'experimental', (m: Mbuf, off: number) => {
        for (let i = 0; i < l.layers.length; i++) host.cpu.chargeLayer(l.layers[i]);
        l.packets++;
        const len = m.pkthdr.len - off;
        l.bytes += len;
        if (l.keep) {
          const bytes = new Uint8Array(len);
          m_copydata(m, off, len, bytes, 0);
          l.payloads.push(bytes);
        }
        m.pool.freem(m);
      });
    },
  });
  return { platform, logs, log };
}

export interface HostOptionsLite {
  hz?: number;
  costs?: CostProfile;
  mitigationPolicy?: MitigationPolicyFactory;
  mbufs?: { mbufs?: number; clusters?: number };
}

export interface NeNic {
  host: Host;
  dev: Ne2000Device;
  sc: Ne2000Driver;
  ifp: Ifnet;
}

/** A host with one NE2000 (MAC `mac`), attached by autoconfiguration. The interface is not up yet. */
export function addNe(
  sim: Simulation,
  setup: Setup,
  name: string,
  mac: string,
  options: HostOptionsLite = {},
  device: Partial<Ne2000DeviceOptions> = {},
): NeNic {
  const host = setup.platform.createHost({ name, runner: sim, loopback: false, ...options });
  const dev = new Ne2000Device({ mac, ...device });
  host.attachDevice(dev);
  const attached = host.autoconf();
  if (attached.length !== 1 || attached[0].driverName !== 'ne') throw new Error('ne did not attach');
  const sc = attached[0].driver as Ne2000Driver;
  return { host, dev, sc, ifp: sc.ifp };
}

/** A host with one e1000 (for mixed pairs). */
export function addWm(sim: Simulation, setup: Setup, name: string, mac: string) {
  const host = setup.platform.createHost({ name, runner: sim, loopback: false });
  const dev = new E1000Device({ mac });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as WmSoftc;
  return { host, dev, sc, ifp: sc.ifp };
}

/** A packet with `payload` in a fresh mbuf of `host`'s pool (leading space for the link header). */
export function packet(host: Host, payload: Uint8Array): Mbuf {
  const m = host.pool.getcl()!;
  m.off = 64;
  m.buf.set(payload, m.off);
  m.len = payload.length;
  m.pkthdr.len = payload.length;
  return m;
}

/** `aa:bb:cc:dd:ee:ff` → 6 bytes (the conformance kit's parser). */
export { macAddr as mac } from '@ifnet/testkit';

/** Sum of the interface's named drops (all, or those whose name starts with `prefix`). */
export function drops(ifp: Ifnet, prefix = ''): number {
  let n = 0;
  for (const [k, v] of Object.entries(ifp.counters.drops)) if (k.startsWith(prefix)) n += v;
  return n;
}
