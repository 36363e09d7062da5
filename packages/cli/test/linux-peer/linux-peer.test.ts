/**
 * The Linux kernel as the peer: an `ifnet host` (e1000, VXLAN) in one network namespace, a Linux `vxlan`
 * interface in another, and the kernel's own tools against it — ping (plain, fragmented both ways, flood),
 * a Linux UDP socket through the echo service with every size from 1 to 8000 bytes, netcat, then
 * `ifnet ping` against Linux, and tshark checking every packet of the pcap ifnet wrote.
 *
 * Needs root and network namespaces; installs iproute2, iputils-ping, tshark, netcat-openbsd and ethtool
 * from Debian when they are missing. Where it cannot run at all it skips with one line saying why.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHost, bin, pingStats, startHost, tearDown, tsharkCheck } from './ifnet-process.js';
import {
  IFNET_ADDR,
  IFNET_UNDERLAY,
  LINUX_ADDR,
  LINUX_UNDERLAY,
  type PeerNetwork,
  VNI,
  VXLAN_PORT,
  buildPeerNetwork,
  cannotRun,
  inNs,
  installDebianPackages,
  sh,
} from './netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const vxlanSpec = `${IFNET_UNDERLAY}:${VXLAN_PORT},${LINUX_UNDERLAY}:${VXLAN_PORT},vni=${VNI}`;

const skip = cannotRun();
if (skip !== null) console.log(`linux-peer tests skipped: ${skip}`);

describe.skipIf(skip !== null)('Linux kernel as the peer (network namespaces, VXLAN)', () => {
  let net: PeerNetwork | undefined;
  let host: RunningHost | undefined;
  let report: Record<string, any> | undefined;
  let dir = '';

  beforeAll(async () => {
    const apt = installDebianPackages();
    if (apt.installed.length > 0) {
      console.log(`linux-peer: installed ${apt.installed.join(', ')} in ${apt.seconds.toFixed(1)} s`);
    }
    dir = mkdtempSync(join(tmpdir(), 'ifnet-peer-'));
    net = buildPeerNetwork();
    host = await startHost(net.ifnet, [
      '--nic',
      'e1000',
      '--ip',
      `${IFNET_ADDR}/24`,
      '--vxlan',
      vxlanSpec,
      '--udp-echo',
      '7',
      '--pcap',
      join(dir, 'host.pcap'),
      '--json',
    ]);
  }, 300_000);

  afterAll(async () => {
    // The namespaces are gone even when a test failed.
    expect(await tearDown(host, net, dir)).toBe('');
  }, 60_000);

  const linux = (args: string[], timeout?: number) => inNs(net!.linux, args, { timeout });

  it('Linux pings ifnet: 0 % loss', () => {
    const s = pingStats(linux(['ping', '-c', '5', '-i', '0.2', '-W', '2', IFNET_ADDR]));
    expect(s).toMatchObject({ transmitted: 5, received: 5, loss: 0 });
    // Linux learned ifnet's MAC through ARP on the VXLAN segment.
    expect(linux(['ip', 'neigh', 'show', IFNET_ADDR, 'dev', 'vx0'])).toMatch(/02:00:c0:00:02:02/);
  });

  it('payloads bigger than the 1450-byte tunnel MTU are fragmented both ways and come back', () => {
    for (const size of [1423, 1500, 4000, 8000]) {
      const s = pingStats(linux(['ping', '-c', '2', '-i', '0.2', '-W', '2', '-s', String(size), IFNET_ADDR]));
      expect(s, `size ${size}`).toMatchObject({ transmitted: 2, received: 2, loss: 0 });
    }
  });

  it('a ping flood (ping -f -c 3000) completes with 0 % loss', () => {
    const s = pingStats(linux(['ping', '-f', '-c', '3000', '-W', '2', IFNET_ADDR], 60_000));
    expect(s).toMatchObject({ transmitted: 3000, received: 3000, loss: 0 });
  });

  it('UDP datagrams of 1 to 8000 bytes from a Linux socket come back intact from the echo service', () => {
    const out = linux([process.execPath, join(here, 'udp-echo-client.mjs'), IFNET_ADDR, '7', '1', '8000', '8'], 90_000);
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r).toMatchObject({ echoed: 8000, corrupt: 0, lost: [] });
    // netcat, the way a person would check it.
    const nc = sh('sh', ['-c', `echo hello-ifnet | ip netns exec ${net!.linux} nc -u -w1 ${IFNET_ADDR} 7`]);
    expect(nc).toContain('hello-ifnet');
  });

  it('stops cleanly on SIGTERM and prints its counters as one JSON object', async () => {
    host!.proc.kill('SIGTERM');
    expect(await host!.exited).toBe(0);
    report = JSON.parse(host!.stdout);
    const r = report!;
    expect(r.stoppedBy).toBe('SIGTERM');
    expect(r.interface.name).toBe('wm0');
    expect(r.interface.mtu).toBe(1450);
    expect(r.tunnel.rxDatagrams).toBe(r.tunnel.rxFrames);
    expect(Object.values(r.tunnel.drops).every((n) => n === 0)).toBe(true);
    expect(r.icmp.echoRequestsIn).toBeGreaterThanOrEqual(3000 + 5 + 8);
    expect(r.icmp.echoRepliesOut).toBe(r.icmp.echoRequestsIn);
    expect(r.ip.reassembled).toBeGreaterThan(8000 - 1422); // every UDP datagram over the MTU, and big pings
    expect(r.ip.fragmented).toBeGreaterThan(0);
    expect(r.udp.drops).toEqual({});
    expect(r.mbufs.mbufs.inUse).toBeLessThan(r.mbufs.mbufs.size);
    expect(r.pcap.packets).toBeGreaterThan(3000 * 2);
    expect(r.pcap.dropped).toBe(0);
  });

  it('tshark reads the capture ifnet wrote during the run and flags nothing (checksums checked)', () => {
    const file = join(dir, 'host.pcap');
    expect(statSync(file).size).toBeGreaterThan(24);
    const { flagged, packets } = tsharkCheck(file);
    expect(flagged).toBe('');
    expect(packets).toBe(report!.pcap.packets);
  }, 120_000);

  it('ifnet pings Linux (ifnet ping, 5000 bytes: fragmented both ways), and its capture is clean too', () => {
    const pcap = join(dir, 'ping.pcap');
    const run = (size: number) =>
      inNs(
        net!.ifnet,
        [
          process.execPath,
          bin,
          'ping',
          '--ip',
          `${IFNET_ADDR}/24`,
          '--vxlan',
          vxlanSpec,
          '--pcap',
          pcap,
          '-c',
          '3',
          '-i',
          '0.2',
          '-s',
          String(size),
          LINUX_ADDR,
        ],
        { timeout: 60_000 },
      );
    const out = run(5000);
    expect(out).toMatch(new RegExp(`5008 bytes from ${LINUX_ADDR.replace(/\./g, '\\.')}: icmp_seq=1 ttl=64`));
    expect(pingStats(out)).toMatchObject({ transmitted: 3, received: 3, loss: 0 });
    const { flagged, packets } = tsharkCheck(pcap);
    expect(flagged).toBe('');
    expect(packets).toBeGreaterThanOrEqual(3 * 8); // 4 fragments each way per ping
  }, 120_000);

  // The other NICs of `--nic`, through the same tunnel: a shorter round of the same checks each.
  describe.each(['ne2000', 'ehea'])('the same host with --nic %s', (nic) => {
    it('answers ping (plain, fragmented, a flood), echoes UDP of 1 to 2000 bytes, stops cleanly, clean capture', async () => {
      const pcap = join(dir, `${nic}.pcap`);
      const h = await startHost(net!.ifnet, [
        '--nic',
        nic,
        '--ip',
        `${IFNET_ADDR}/24`,
        '--vxlan',
        vxlanSpec,
        '--udp-echo',
        '7',
        '--pcap',
        pcap,
        '--json',
      ]);
      try {
        const plain = pingStats(linux(['ping', '-c', '3', '-i', '0.2', '-W', '2', IFNET_ADDR]));
        expect(plain).toMatchObject({ received: 3, loss: 0 });
        const big = pingStats(linux(['ping', '-c', '2', '-i', '0.2', '-W', '2', '-s', '4000', IFNET_ADDR]));
        expect(big).toMatchObject({ received: 2, loss: 0 });
        const flood = pingStats(linux(['ping', '-f', '-c', '300', '-W', '2', IFNET_ADDR], 60_000));
        expect(flood).toMatchObject({ transmitted: 300, received: 300, loss: 0 });
        const out = linux(
          [process.execPath, join(here, 'udp-echo-client.mjs'), IFNET_ADDR, '7', '1', '2000', '8'],
          60_000,
        );
        expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ echoed: 2000, corrupt: 0, lost: [] });
      } finally {
        h.proc.kill('SIGTERM');
      }
      expect(await h.exited).toBe(0);
      const r = JSON.parse(h.stdout);
      expect(r.interface.nic).toBe(nic);
      expect(r.interface.mtu).toBe(1450);
      expect(Object.values(r.tunnel.drops).every((n) => n === 0)).toBe(true);
      expect(r.icmp.echoRepliesOut).toBe(r.icmp.echoRequestsIn);
      const check = tsharkCheck(pcap);
      expect(check.flagged).toBe('');
      expect(check.packets).toBe(r.pcap.packets);
    }, 120_000);
  });
});
