/**
 * The Linux kernel as the IPsec peer: ESP (RFC 4303) with AES-GCM (RFC 4106) in transport mode between
 * the kernel's xfrm and an `ifnet host` configured with the same `ip xfrm` words, over the VXLAN tunnel.
 *
 * The Linux side is one shell script: `ip xfrm state add ... aead 'rfc4106(gcm(aes))' 0x<key+salt> 128`
 * and `ip xfrm policy add` both directions (AES-128 one way, AES-256 the other), then ping (plain and
 * fragmented), UDP datagrams of 1 to 2000 bytes and of 7990 to 8000 bytes from a Linux socket through
 * ifnet's echo service, `/proc/net/xfrm_stat` and `ip -s xfrm state`, and last a ping in clear (Linux's
 * outbound policy deleted) that ifnet's inbound policy must refuse; then, re-keyed, it waits while
 * `ifnet ping` initiates in ESP, and reads its statistics again. It runs in a network namespace when
 * the machine's kernel has ESP, else as the init of a User-Mode Linux kernel in that namespace (`uml.ts`).
 * tshark then reads the capture ifnet wrote.
 *
 * Its namespaces (`ifnet-esp-*`), addresses (203.0.113.0/24 underlay, 192.0.2.128/25 overlay), VNI 43 and
 * port 4790 differ from `linux-peer.test.ts`, so vitest may run both files at once.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHost, bin, pingStats, startHost, tearDown, tsharkCheck } from './ifnet-process.js';
import {
  type PeerNetwork,
  type PeerNetworkOptions,
  buildPeerNetwork,
  cannotRun,
  installDebianPackages,
  runIn,
  sh,
  vxlanLinkArgs,
} from './netns.js';
import { UML_PACKAGES, cannotRunUml, hostKernelHasEsp, runUml, umlPrelude } from './uml.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINUX = '192.0.2.129';
const IFNET = '192.0.2.130';
const NET: Omit<PeerNetworkOptions, 'linuxEnd'> = {
  prefix: 'ifnet-esp',
  linuxUnderlay: '203.0.113.1',
  ifnetUnderlay: '203.0.113.2',
  linuxAddr: `${LINUX}/25`,
  vni: 43,
  port: 4790,
};
/** Linux → ifnet: AES-128; ifnet → Linux: AES-256 (key ‖ 4-byte salt, RFC 4106 8.1). */
const SA_IN = { spi: '0x00001001', key: `0x${'a1'.repeat(16)}01020304` };
const SA_OUT = { spi: '0x00001002', key: `0x${'b2'.repeat(32)}05060708` };
const REQID = 5;

const sa = (src: string, dst: string, s: { spi: string; key: string }) =>
  `src ${src} dst ${dst} proto esp spi ${s.spi} reqid ${REQID} mode transport aead 'rfc4106(gcm(aes))' ${s.key} 128 replay-window 32`;
const policy = (src: string, dst: string, dir: 'in' | 'out') =>
  `src ${src} dst ${dst} dir ${dir} tmpl src ${src} dst ${dst} proto esp reqid ${REQID} mode transport`;

let skip = cannotRun();
/** Where the Linux side runs: the machine's kernel in the namespace, or a User-Mode Linux guest. */
let mode: 'netns' | 'uml' = 'netns';
if (skip === null && !hostKernelHasEsp()) {
  mode = 'uml';
  skip = cannotRunUml();
}
if (skip !== null) console.log(`linux-ipsec tests skipped: ${skip}`);

/** The Linux side: configuration, traffic, statistics; every output in a file of `out`. */
function linuxScript(out: string): string {
  const node = process.execPath;
  const client = join(here, 'udp-echo-client.mjs');
  const lines = ['set -e', `exec 2>>${out}/log`, 'set -x'];
  if (mode === 'uml') {
    // The guest owns the underlay address and makes the VXLAN (the namespace only bridges its tap).
    lines.push(
      `ip addr add ${NET.linuxUnderlay}/24 dev eth0`,
      'ip link set eth0 up',
      `ip ${vxlanLinkArgs(NET, 'eth0').join(' ')}`,
      `ip addr add ${NET.linuxAddr} dev vx0`,
      'ip link set vx0 up',
    );
  }
  lines.push(
    `ip xfrm state add ${sa(LINUX, IFNET, SA_IN)}`,
    `ip xfrm state add ${sa(IFNET, LINUX, SA_OUT)}`,
    `ip xfrm policy add ${policy(LINUX, IFNET, 'out')}`,
    `ip xfrm policy add ${policy(IFNET, LINUX, 'in')}`,
    'uname -r > $R/uname',
    `ping -c 5 -i 0.2 -W 5 ${IFNET} > $R/ping || true`,
    `ping -c 3 -i 0.2 -W 5 -s 4000 ${IFNET} > $R/ping-big || true`,
    `${node} ${client} ${IFNET} 7 1 2000 8 > $R/udp || true`,
    `${node} ${client} ${IFNET} 7 7990 8000 4 > $R/udp-big || true`,
    'cat /proc/net/xfrm_stat > $R/xfrm_stat',
    'ip -s xfrm state > $R/xfrm_state',
    // In clear: without its outbound policy Linux sends the requests unprotected; ifnet must refuse them.
    `ip xfrm policy delete src ${LINUX} dst ${IFNET} dir out`,
    `ping -c 2 -i 0.2 -W 1 ${IFNET} > $R/ping-clear || true`,
    'echo ok > $R/done',
    // Part 2, ifnet initiates: fresh SAs (new replay windows), then wait for the test's `ifnet ping`.
    'ip xfrm policy flush',
    'ip xfrm state flush',
    `ip xfrm state add ${sa(LINUX, IFNET, SA_IN)}`,
    `ip xfrm state add ${sa(IFNET, LINUX, SA_OUT)}`,
    `ip xfrm policy add ${policy(LINUX, IFNET, 'out')}`,
    `ip xfrm policy add ${policy(IFNET, LINUX, 'in')}`,
    'echo ok > $R/ready2',
    'i=0; while [ ! -e $R/go2 ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done',
    'cat /proc/net/xfrm_stat > $R/xfrm_stat2',
    'ip -s xfrm state > $R/xfrm_state2',
    'echo ok > $R/done2',
  );
  return `#!/bin/sh\nR=${out}\n${lines.join('\n')}\n`;
}

/** The options `ifnet host` and `ifnet ping` share: address, tunnel, capture, the SAs and policies. */
function ifnetArgs(dir: string, pcap: string): string[] {
  return [
    '--ip',
    `${IFNET}/25`,
    '--vxlan',
    `${NET.ifnetUnderlay}:${NET.port},${NET.linuxUnderlay}:${NET.port},vni=${NET.vni}`,
    '--pcap',
    join(dir, pcap),
    '--xfrm-state',
    sa(LINUX, IFNET, SA_IN),
    '--xfrm-state',
    sa(IFNET, LINUX, SA_OUT),
    '--xfrm-policy',
    policy(IFNET, LINUX, 'out'),
    '--xfrm-policy',
    policy(LINUX, IFNET, 'in'),
  ];
}

/** Starts the Linux side; resolves with what it printed (the guest's console in UML mode) when it ends. */
function startLinuxSide(net: PeerNetwork, dir: string): Promise<{ status: number | null; output: string }> {
  const out = join(dir, 'out');
  sh('mkdir', ['-p', out]);
  const script = join(dir, 'linux.sh');
  writeFileSync(script, linuxScript(out), { mode: 0o755 });
  if (mode === 'netns') return runIn(net.linux, ['sh', script], 300_000);
  const init = join(dir, 'init');
  writeFileSync(init, `#!/bin/sh\n${umlPrelude(dir)}\nsh ${script}\nsync\npoweroff -f\n`, { mode: 0o755 });
  return runUml(net.linux, init, 300_000);
}

/** Resolves when `file` exists, or when `ended` settles first (then the caller reports what is missing). */
async function fileOrEnd(file: string, ended: Promise<unknown>): Promise<void> {
  let over = false;
  void ended.then(() => (over = true));
  while (!existsSync(file) && !over) await new Promise((r) => setTimeout(r, 100));
}

describe.skipIf(skip !== null)(
  `Linux kernel as the IPsec peer (ESP rfc4106(gcm(aes)), transport mode, over VXLAN)`,
  () => {
    let net: PeerNetwork | undefined;
    let host: RunningHost | undefined;
    let report: Record<string, any> | undefined;
    let dir = '';
    let guestOutput = '';
    const result = (name: string) => {
      const f = join(dir, 'out', name);
      if (!existsSync(f)) {
        const log = existsSync(join(dir, 'out', 'log')) ? readFileSync(join(dir, 'out', 'log'), 'utf8') : '';
        throw new Error(`the Linux side wrote no ${name}; its log:\n${log}\nconsole:\n${guestOutput}`);
      }
      return readFileSync(f, 'utf8');
    };

    beforeAll(async () => {
      const apt = installDebianPackages();
      // The probe needs `ip`: on a machine that had no iproute2 it can only succeed now.
      if (mode === 'uml' && hostKernelHasEsp()) mode = 'netns';
      if (mode === 'uml') apt.installed.push(...installDebianPackages(UML_PACKAGES).installed);
      if (apt.installed.length > 0) console.log(`linux-ipsec: installed ${apt.installed.join(', ')}`);
      dir = mkdtempSync(join(tmpdir(), 'ifnet-esp-'));
      net = buildPeerNetwork({ ...NET, linuxEnd: mode === 'uml' ? 'guest' : 'vxlan' });
      host = await startHost(net.ifnet, [...ifnetArgs(dir, 'host.pcap'), '--udp-echo', '7', '--json']);
      const linuxSide = startLinuxSide(net, dir);
      await fileOrEnd(join(dir, 'out', 'ready2'), linuxSide);
      host.proc.kill('SIGTERM');
      await host.exited;
      report = JSON.parse(host.stdout);
      // Part 2: ifnet initiates (`ifnet ping` with the same SAs, on the host's underlay address).
      if (existsSync(join(dir, 'out', 'ready2'))) {
        const ping = await runIn(
          net.ifnet,
          [process.execPath, bin, 'ping', ...ifnetArgs(dir, 'ping.pcap')].concat([
            '-c',
            '3',
            '-i',
            '0.2',
            '-s',
            '3000',
            '-W',
            '5',
            LINUX,
          ]),
          60_000,
        );
        writeFileSync(join(dir, 'out', 'ifnet-ping'), ping.output);
      }
      writeFileSync(join(dir, 'out', 'go2'), '');
      guestOutput = (await linuxSide).output;
    }, 420_000);

    afterAll(async () => {
      // The namespaces are gone even when a test failed.
      expect(await tearDown(host, net, dir)).toBe('');
    }, 60_000);

    it(`Linux (${mode === 'uml' ? 'User-Mode Linux guest' : 'this kernel'}) pings ifnet in ESP: 0 % loss, plain and fragmented`, () => {
      console.log(`linux-ipsec: Linux ${result('uname').trim()} (${mode})`);
      expect(pingStats(result('ping'))).toMatchObject({ transmitted: 5, received: 5, loss: 0 });
      expect(pingStats(result('ping-big'))).toMatchObject({ transmitted: 3, received: 3, loss: 0 });
      expect(result('done').trim()).toBe('ok');
    });

    it('UDP datagrams of 1 to 2000 and 7990 to 8000 bytes from a Linux socket come back intact', () => {
      expect(JSON.parse(result('udp').trim())).toMatchObject({ echoed: 2000, corrupt: 0, lost: [] });
      expect(JSON.parse(result('udp-big').trim())).toMatchObject({ echoed: 11, corrupt: 0, lost: [] });
    });

    it("Linux's /proc/net/xfrm_stat shows no error; both SAs carried traffic", () => {
      const stat = result('xfrm_stat');
      const counters = Object.fromEntries(
        stat
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .map(([k, v]) => [k, Number(v)]),
      );
      expect(Object.keys(counters).length).toBeGreaterThan(20);
      expect(Object.entries(counters).filter(([, v]) => v !== 0)).toEqual([]);
      const states = result('xfrm_state');
      for (const spi of [SA_IN.spi, SA_OUT.spi]) {
        const block = states.slice(states.indexOf(`spi ${spi}`));
        const m = /lifetime current:\s+(\d+)\(bytes\), (\d+)\(packets\)/.exec(block);
        expect(Number(m?.[2]), spi).toBeGreaterThan(2000);
        expect(/replay-window \d+ replay (\d+) failed (\d+)/.exec(block)?.slice(1)).toEqual(['0', '0']);
      }
    });

    it("ifnet's counters: ESP both ways with no drop; the clear ping was refused by its inbound policy", () => {
      const r = report!;
      expect(pingStats(result('ping-clear'))).toMatchObject({ transmitted: 2, received: 0 });
      expect(r.ipsec.espIn.drops).toEqual({});
      expect(r.ipsec.espOut.drops).toEqual({});
      expect(r.ipsec.espIn.inFlight).toBe(0);
      expect(r.ipsec.espIn.delivered).toBe(r.ipsec.espIn.received);
      expect(r.ipsec.espIn.delivered).toBeGreaterThanOrEqual(5 + 3 + 2000 + 11); // and retries, if any
      expect(r.ipsec.espOut.sent).toBe(r.ipsec.espIn.delivered);
      expect(r.ipsec.policyIn.drops).toEqual({ 'xfrm.in.tmplmismatch': 2 });
      expect(r.ip.reassembled).toBeGreaterThan(3 + 11); // ESP packets Linux fragmented after encrypting
      expect(r.ip.fragmented).toBeGreaterThan(3 + 11);
      expect(r.udp.drops).toEqual({});
      expect(Object.values(r.tunnel.drops).every((n) => n === 0)).toBe(true);
    });

    it('tshark reads the capture: no malformed packet, ESP both ways, nothing else in clear but the refused pings', () => {
      const file = join(dir, 'host.pcap');
      const { flagged, packets } = tsharkCheck(file);
      expect(flagged).toBe('');
      expect(packets).toBe(report!.pcap.packets);
      const count = (filter: string) =>
        sh('tshark', ['-r', file, '-Y', filter], { timeout: 60_000 }).trim().split('\n').filter(Boolean).length;
      expect(count(`esp && ip.src == ${LINUX} && esp.spi == ${SA_IN.spi}`)).toBeGreaterThan(2000);
      expect(count(`esp && ip.src == ${IFNET} && esp.spi == ${SA_OUT.spi}`)).toBeGreaterThan(2000);
      // Unprotected IPv4 between the two: only the two clear echo requests (first fragments and whole packets).
      expect(count(`ip && !esp && ip.frag_offset == 0 && (icmp || udp)`)).toBe(2);
    }, 120_000);

    it('ifnet initiates: `ifnet ping` (3000 bytes, fragmented) gets its replies from Linux in ESP; Linux counts no error; clean capture', () => {
      const out = result('ifnet-ping');
      expect(out).toMatch(new RegExp(`3008 bytes from ${LINUX.replace(/\./g, '\\.')}: icmp_seq=1`));
      expect(pingStats(out)).toMatchObject({ transmitted: 3, received: 3, loss: 0 });
      expect(result('done2').trim()).toBe('ok');
      const stat = result('xfrm_stat2');
      expect(
        stat
          .trim()
          .split('\n')
          .filter((l) => !/\s0$/.test(l.trim())),
      ).toEqual([]);
      const file = join(dir, 'ping.pcap');
      expect(tsharkCheck(file).flagged).toBe('');
      const esp = sh('tshark', ['-r', file, '-Y', 'esp'], { timeout: 60_000 }).trim().split('\n').filter(Boolean);
      expect(esp.length).toBe(2 * 3); // each request and reply: one ESP packet (reassembled by tshark)
    }, 120_000);
  },
);
