/**
 * One ifnet host on a real network: a platform with Ethernet, IPv4/ICMP/UDP and the chosen NIC's driver,
 * a host on the real clock, the NIC's port plugged into a UDP tunnel (optionally through a pcap tap). The
 * commands `ifnet host` and `ifnet ping` are thin shells around it.
 *
 * @module
 */
import { type Host, type Ifnet, RealTimeRunner, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { inetFor, registerInet } from '@ifnet/inet';
import { ipsecFor, registerIpsec } from '@ifnet/ipsec';
import { tapDevice } from '@ifnet/pcap';
import { type NodePcapWriter, openPcap } from '@ifnet/pcap/node';
import { UdpTunnel } from '@ifnet/tunnel';
import { NICS } from './nics.js';
import { UsageError } from '../usage-error.js';
import type { TunnelHostConfig } from './options.js';

export interface TunnelHost {
  readonly host: Host;
  readonly ifp: Ifnet;
  readonly tunnel: UdpTunnel;
  readonly pcap: NodePcapWriter | undefined;
  readonly config: TunnelHostConfig;
  /** When the host started (ms, `performance.now()`). */
  readonly startedAt: number;
  /** Closes the tunnel, stops the CPU and flushes the capture. */
  stop(): Promise<void>;
}

/** Whether the configuration asks for IPsec (then the host gets `@ifnet/ipsec` and its crypto framework). */
export function wantsIpsec(config: TunnelHostConfig): boolean {
  return config.xfrmStates.length > 0 || config.xfrmPolicies.length > 0 || config.xfrmDefaultIn !== undefined;
}

/** Installs the `--xfrm-*` SAs and policies; a value `ip xfrm` would refuse (key length, SPI) is a usage error. */
function configureIpsec(host: Host, config: TunnelHostConfig): void {
  const ipsec = ipsecFor(host);
  try {
    for (const s of config.xfrmStates) ipsec.addState(s);
    for (const p of config.xfrmPolicies) ipsec.addPolicy(p);
  } catch (e) {
    throw new UsageError(`--xfrm-*: ${(e as Error).message}`);
  }
  if (config.xfrmDefaultIn !== undefined) ipsec.setDefaultPolicy('in', config.xfrmDefaultIn);
}

/** Builds the host and opens the tunnel (rejects when the local address cannot be bound). */
export async function startTunnelHost(config: TunnelHostConfig, name = 'ifnet'): Promise<TunnelHost> {
  const nic = NICS[config.nic];
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  const ipsec = wantsIpsec(config);
  if (ipsec) registerIpsec(platform);
  nic.register(platform);
  const runner = new RealTimeRunner();
  const host = platform.createHost({ name, runner, hz: 1000 });
  if (ipsec) {
    try {
      configureIpsec(host, config);
    } catch (e) {
      runner.stop();
      throw e;
    }
  }
  const dev = nic.create(config.mac);
  host.attachDevice(dev);
  host.autoconf();
  const ifp = host.interfaces.find((i) => i !== host.lo0);
  if (ifp === undefined) throw new Error(`no driver attached to the ${config.nic} device`);
  const tunnel = new UdpTunnel({
    local: config.local,
    remote: config.remote,
    encapsulation: config.encapsulation,
    name: `${ifp.name} tunnel`,
  });
  const pcap = config.pcap === undefined ? undefined : openPcap(config.pcap, { clock: runner.clock });
  tunnel.attach(pcap === undefined ? dev : tapDevice(dev, pcap.writer));
  ifp.setMtu(config.mtu ?? Math.min(tunnel.mtu(), ifp.maxMtu));
  try {
    await tunnel.open(); // carrier first, so the address announcement (gratuitous ARP) goes out
  } catch (e) {
    runner.stop();
    pcap?.close();
    throw e;
  }
  ifp.upIf();
  const inet = inetFor(host);
  inet.addAddress(ifp, config.ip);
  if (config.gw !== undefined) inet.routes.add('default', config.gw);
  let stopped = false;
  return {
    host,
    ifp,
    tunnel,
    pcap,
    config,
    startedAt: performance.now(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await tunnel.close();
      runner.stop();
      pcap?.close();
    },
  };
}
