/**
 * An app composed from packages, with a third-party driver: two hosts, each with a vnic (the example
 * driver of `@ifnet/example-vnic`, registered through DI like any driver), on a virtual cable; IPv4
 * addresses; ARP, ping and a UDP echo — on the deterministic virtual clock.
 *
 * @module
 */
import { Simulation, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { VnicDevice, type VnicDriver, registerVnic } from '@ifnet/example-vnic';
import { formatAddr, inetFor, ping, registerInet, udpEchoService, udpFor } from '@ifnet/inet';
import { VirtualCable } from '@ifnet/wire';

export interface VnicAppReport {
  interfaces: string[];
  pings: { size: number; rttUs: number }[];
  echo: string;
}

/** Runs the app; `log` receives its output lines. */
export async function runVnicApp(log: (line: string) => void = console.log): Promise<VnicAppReport> {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerVnic(platform);
  const hosts = ['a', 'b'].map((name, i) => {
    const host = platform.createHost({ name, runner: sim, loopback: false });
    const dev = new VnicDevice({ mac: `02:00:00:00:00:0${i + 1}` });
    host.attachDevice(dev);
    const [slot] = host.autoconf();
    const ifp = (slot.driver as VnicDriver).ifp;
    return { host, dev, ifp, driver: slot.driverName ?? '?' };
  });
  const [a, b] = hosts;
  new VirtualCable(sim.clock).connect(a.dev, b.dev);
  for (const [i, h] of hosts.entries()) {
    h.ifp.upIf();
    inetFor(h.host).addAddress(h.ifp, `10.1.0.${i + 1}/24`);
  }
  sim.runUntilIdle();
  const interfaces = hosts.map((h, i) => `${h.host.name}: ${h.ifp.name} (driver ${h.driver}) inet 10.1.0.${i + 1}/24`);
  for (const line of interfaces) log(line);

  const pings: VnicAppReport['pings'] = [];
  for (const [seq, size] of [
    [1, 56],
    [2, 3000],
  ]) {
    const p = ping(a.host, '10.1.0.2', { seq, size });
    sim.runUntilIdle();
    const r = await p;
    pings.push({ size, rttUs: r.rtt / 1000 });
    log(
      `ping 10.1.0.2 ${size} bytes: reply from ${formatAddr(r.from)} seq=${r.seq} time=${(r.rtt / 1000).toFixed(1)} µs`,
    );
  }

  const svc = udpEchoService(b.host, 7);
  const s = udpFor(a.host).socket().connect('10.1.0.2', 7);
  s.send(new TextEncoder().encode('hello from a vnic'));
  const got = s.recv();
  sim.runUntilIdle();
  const echo = new TextDecoder().decode((await got).data);
  log(`udp echo: "${echo}"`);
  s.close();
  svc.close();
  for (const h of hosts) await h.host.ifDetach(h.ifp);
  return { interfaces, pings, echo };
}
