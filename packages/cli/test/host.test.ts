import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapReader } from '@ifnet/pcap';
import { describe, expect, it, onTestFinished } from 'vitest';
import { run } from '../src/index.js';
import { formatSummary, summarize } from '../src/commands/ping.js';
import { macFor, parseHostOptions } from '../src/host/options.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ifnet.mjs');

/** Random loopback addresses (127.x.y.1 and .2), so parallel runs do not collide. */
function loopbackPair(): [string, string] {
  const r = () => 1 + Math.floor(Math.random() * 250);
  const net = `127.${r()}.${r()}`;
  return [`${net}.1`, `${net}.2`];
}

interface Exec {
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the command printed its ready line (on stderr). */
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
}

function exec(args: string[]): Exec {
  const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  let ready!: () => void;
  const r: Exec = {
    kill: (sig) => p.kill(sig),
    ready: new Promise((resolve) => (ready = resolve)),
    done: new Promise((resolve) => p.on('exit', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }))),
  };
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.includes(': ready')) ready();
  });
  return r;
}

/** `ip xfrm state add` words of a transport-mode rfc4106 SA (the key differs per direction). */
function espState(src: string, dst: string, spi: number): string {
  const key = `0x${(spi === 0x100 ? 'c3' : '5a').repeat(16)}0badcafe`;
  return `src ${src} dst ${dst} proto esp spi 0x${spi.toString(16)} reqid 1 mode transport aead 'rfc4106(gcm(aes))' ${key} 128 replay-window 32`;
}

/** The `--xfrm-*` options of one end of an ESP-protected pair (`us` sends with SPI 0x100 if `first`). */
function espArgs(us: string, them: string, first: boolean, outExtra = '', inExtra = ''): string[] {
  const [out, inn] = first ? [0x100, 0x200] : [0x200, 0x100];
  const tmpl = (s: string, d: string) => `tmpl src ${s} dst ${d} proto esp reqid 1 mode transport`;
  return [
    '--xfrm-state',
    `${espState(us, them, out)} ${outExtra}`,
    '--xfrm-state',
    `${espState(them, us, inn)} ${inExtra}`,
    '--xfrm-policy',
    `src ${us} dst ${them} dir out ${tmpl(us, them)}`,
    '--xfrm-policy',
    `src ${them} dst ${us} dir in ${tmpl(them, us)}`,
  ];
}

/** `ifnet host` at 192.0.2.2/24 on a VXLAN from `local` to `remote` (port 4789), `--json`, with `extra`. */
function hostOn(local: string, remote: string, extra: string[]): Exec {
  return exec(['host', '--ip', '192.0.2.2/24', '--vxlan', `${local}:4789,${remote}:4789`, ...extra, '--json']);
}

describe('ifnet host / ifnet ping arguments', () => {
  it('bad arguments are one line and exit status 2', async () => {
    const vx = '--vxlan=127.0.0.1:4789,127.0.0.2:4789';
    for (const args of [
      ['host'],
      ['host', '--ip', '192.0.2.2/24'],
      ['host', '--ip', '192.0.2.2', vx],
      ['host', '--ip', 'nonsense/24', vx],
      ['host', '--ip', '192.0.2.2/24', '--vxlan', '127.0.0.1:4789'],
      ['host', '--ip', '192.0.2.2/24', '--vxlan', '127.0.0.1:99999,127.0.0.2:4789'],
      ['host', '--ip', '192.0.2.2/24', '--vxlan', '127.0.0.1:4789,127.0.0.2:4789,vni=16777216'],
      ['host', '--ip', '192.0.2.2/24', '--vxlan', '127.0.0.1:4789,[::1]:4789'],
      ['host', '--ip', '192.0.2.2/24', vx, '--qemu', '127.0.0.1:1,127.0.0.1:2'],
      ['host', '--ip', '192.0.2.2/24', vx, '--nic', 'rtl8139'],
      ['host', '--ip', '192.0.2.2/24', vx, '--udp-echo', 'seven'],
      ['host', '--ip', '192.0.2.2/24', vx, '--duration', '-1'],
      ['host', '--ip', '192.0.2.2/24', vx, '--mac', '03:00:00:00:00:01'],
      ['host', '--ip', '192.0.2.2/24', vx, '--gw', '192.0.2'],
      ['host', '--ip', '192.0.2.2/24', vx, '--coalesce', 'tx-usecs=3'],
      ['host', '--ip', '192.0.2.2/24', vx, '--coalesce', 'rx-usecs=-5'],
      ['ping', '--ip', '192.0.2.2/24', vx, 'not-an-address'],
      // --xfrm-*: grammar (parse time) and values (when the SA is made) are usage errors too.
      ['host', '--ip', '192.0.2.2/24', vx, '--xfrm-state', 'src 192.0.2.2 dst 192.0.2.3 proto ah spi 0x100'],
      ['host', '--ip', '192.0.2.2/24', vx, '--xfrm-policy', 'src 192.0.2.2 dst 192.0.2.3 dir fwd'],
      ['host', '--ip', '192.0.2.2/24', vx, '--xfrm-policy-default', 'out:block'],
      [
        'host',
        '--ip',
        '192.0.2.2/24',
        vx,
        '--duration',
        '0',
        '--xfrm-state',
        `${espState('192.0.2.2', '192.0.2.3', 0x100)}`.replace(/0x(c3)+/, '0x1234'),
      ],
      ['ping', '--ip', '192.0.2.2/24', vx, '-c', '0', '192.0.2.1'],
      // A local address this machine does not have: nothing to bind.
      ['host', '--ip', '192.0.2.2/24', '--vxlan', '192.0.2.77:4789,192.0.2.78:4789', '--duration', '0'],
    ]) {
      expect(await run(args), args.join(' ')).toBe(2);
    }
  });

  it('parses --xfrm-state / --xfrm-policy with ip xfrm words, repeatable, in order', () => {
    const c = parseHostOptions({
      nic: 'e1000',
      ip: '192.0.2.2/24',
      vxlan: '198.51.100.2:4789,198.51.100.1:4789',
      xfrmState: [espState('192.0.2.2', '192.0.2.3', 0x100), espState('192.0.2.3', '192.0.2.2', 0x200)],
      xfrmPolicy: ['src 192.0.2.3 dst 192.0.2.2 dir in tmpl proto esp reqid 1 mode transport'],
      xfrmPolicyDefault: 'in:block',
    });
    expect(c.xfrmStates.map((s) => [s.spi, s.src, s.replayWindow, s.aead.icvBits])).toEqual([
      [0x100, '192.0.2.2', 32, 128],
      [0x200, '192.0.2.3', 32, 128],
    ]);
    expect(c.xfrmPolicies).toEqual([
      {
        src: '192.0.2.3',
        dst: '192.0.2.2',
        dir: 'in',
        tmpl: { src: '0.0.0.0', dst: '0.0.0.0', proto: 'esp', reqid: 1, mode: 'transport' },
      },
    ]);
    expect(c.xfrmDefaultIn).toBe('block');
    // ESN and its starting counters, as `ip xfrm state add ... flag esn replay-seq-hi N` writes them.
    const esn = parseHostOptions({
      nic: 'e1000',
      ip: '192.0.2.2/24',
      vxlan: '198.51.100.2:4789,198.51.100.1:4789',
      xfrmState: [`${espState('192.0.2.3', '192.0.2.2', 0x200)} flag esn replay-seq-hi 4 replay-oseq-hi 0x5`],
    }).xfrmStates[0];
    expect([esn.esn, esn.replaySeqHi, esn.replayOseqHi]).toEqual([true, 4, 5]);
    expect(parseHostOptions({ nic: 'e1000', ip: '192.0.2.2/24', vxlan: '127.0.0.1:1,127.0.0.1:2' }).xfrmStates).toEqual(
      [],
    );
  });

  it('parses the tunnel and derives the MAC from the address', () => {
    const c = parseHostOptions({
      nic: 'e1000',
      ip: '192.0.2.2/24',
      vxlan: '198.51.100.2:4789,198.51.100.1:4789,vni=7',
    });
    expect(c.encapsulation.description).toBe('vxlan vni 7');
    expect(c.local).toMatchObject({ address: '198.51.100.2', port: 4789 });
    expect(c.mac).toBe('02:00:c0:00:02:02');
    expect(macFor(0x0a000001)).toBe('02:00:0a:00:00:01');
    const q = parseHostOptions({ nic: 'e1000', ip: '192.0.2.2/24', qemu: '127.0.0.1:1234,127.0.0.1:1235' });
    expect(q.encapsulation.kind).toBe('qemu');
  });

  it('summarises like iputils ping', () => {
    const s = summarize('192.0.2.1', 4, [1, 2, 3], 0, 3003.4);
    expect(formatSummary(s)).toBe(
      '--- 192.0.2.1 ping statistics ---\n' +
        '4 packets transmitted, 3 received, 25% packet loss, time 3003ms\n' +
        'rtt min/avg/max/mdev = 1.000/2.000/3.000/0.816 ms',
    );
  });
});

describe('ifnet host and ifnet ping end to end (two processes, VXLAN over loopback)', () => {
  it('host answers ping from the other; --json prints one object; --pcap - streams a capture on stdout', async () => {
    const [a, b] = loopbackPair();
    const json = exec(['host', '--ip', '192.0.2.2/24', '--vxlan', `${a}:4789,${b}:4789`, '--json']);
    const [c, d] = loopbackPair();
    const piped = exec(['host', '--ip', '192.0.2.2/24', '--vxlan', `${c}:4789,${d}:4789`, '--pcap', '-']);
    await Promise.all([json.ready, piped.ready]);
    const pingArgs = (l: string, r: string) => [
      'ping',
      '--ip',
      '192.0.2.3/24',
      '--vxlan',
      `${l}:4789,${r}:4789`,
      '-c',
      '2',
      '-i',
      '0.2',
      '-s',
      '2000',
      '-W',
      '3',
      '192.0.2.2',
    ];
    const [p1, p2] = await Promise.all([exec(pingArgs(b, a)).done, exec(pingArgs(d, c)).done]);
    json.kill('SIGTERM');
    piped.kill('SIGTERM');
    expect(p1.code, p1.stderr + p1.stdout.toString()).toBe(0);
    expect(p1.stdout.toString()).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);
    expect(p2.code, p2.stderr).toBe(0);

    const h = await json.done;
    expect(h.code, h.stderr).toBe(0);
    expect(h.stderr).toMatch(
      /^ifnet host: wm0 \(e1000\) 02:00:c0:00:02:02 inet 192\.0\.2\.2\/24 mtu 1450 on vxlan vni 42 .*: ready\n$/,
    );
    const report = JSON.parse(h.stdout.toString()); // exactly one JSON object
    expect(report).toMatchObject({ stoppedBy: 'SIGTERM', interface: { name: 'wm0', mtu: 1450 } });
    expect(report.icmp.echoRepliesOut).toBe(2);
    expect(report.ip.reassembled).toBe(2);

    const p = await piped.done;
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toMatch(/pcap to stdout: ready/);
    expect(p.stderr).toMatch(/^wm0 +1450 +192\.0\.2\.0\/24/m); // the counters went to stderr
    const records = [...new PcapReader(new Uint8Array(p.stdout))];
    const ipv4 = records.filter((r) => r.data[12] === 0x08 && r.data[13] === 0x00);
    expect(ipv4.length).toBe(2 * 2 * 2); // 2 pings of 2000 bytes: 2 fragments each way
  }, 60_000);

  it('--coalesce sets ethtool -C receive coalescing: the e1000 maps rx-usecs onto ITR and refuses rx-frames', async () => {
    const [a, b] = loopbackPair();
    const vx = ['--vxlan', `${a}:4789,${b}:4789`];
    const json = await exec([
      'host',
      '--ip',
      '192.0.2.2/24',
      ...vx,
      '--coalesce',
      'rx-usecs=50',
      '--json',
      '--duration',
      '0.1',
    ]).done;
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toMatch(/, rx-usecs 50 rx-frames 0: ready/);
    expect(JSON.parse(json.stdout.toString()).interface.coalescing).toEqual({ rxUsecs: 50, rxFrames: 0 });
    const refused = await exec(['host', '--ip', '192.0.2.2/24', ...vx, '--coalesce', 'rx-frames=8']).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--coalesce: wm0.q0: rx-frames is not supported/);
  }, 60_000);

  it('--xfrm-state / --xfrm-policy: ifnet ping and ifnet host talk ESP both ways (fragmented), clear traffic refused', async () => {
    const [a, b] = loopbackPair();
    const host = hostOn(a, b, espArgs('192.0.2.2', '192.0.2.3', true));
    await host.ready;
    const dir = mkdtempSync(join(tmpdir(), 'ifnet-esp-ping-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const pcap = join(dir, 'ping.pcap');
    const ping = (us: string, xfrm: string[], extra: string[] = []) =>
      exec([
        'ping',
        '--ip',
        `${us}/24`,
        '--vxlan',
        `${b}:4789,${a}:4789`,
        ...xfrm,
        '-c',
        '2',
        '-i',
        '0.2',
        '-s',
        '3000',
        '-W',
        '10', // generous: the machine may be busy (a late reply is not a lost one)
        ...extra,
        '192.0.2.2',
      ]).done;
    const esp = await ping('192.0.2.3', espArgs('192.0.2.3', '192.0.2.2', false), ['--pcap', pcap]);
    // Same address without ESP: the host's inbound policy refuses the clear requests.
    const clear = await ping('192.0.2.3', [], ['-W', '1']);
    host.kill('SIGTERM');
    const h = await host.done;
    expect(esp.code, esp.stderr + esp.stdout.toString()).toBe(0);
    expect(esp.stdout.toString()).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);
    expect(clear.code).toBe(1);
    expect(h.code, h.stderr).toBe(0);
    const r = JSON.parse(h.stdout.toString());
    expect(r.ipsec.espIn).toMatchObject({ received: 2, delivered: 2, inFlight: 0, drops: {} });
    expect(r.ipsec.espOut).toMatchObject({ sent: 2, inFlight: 0, drops: {} });
    expect(r.ipsec.policyIn.drops).toEqual({ 'xfrm.in.tmplmismatch': 2 });
    expect(r.ipsec.states.map((s: { spi: string; packets: number }) => [s.spi, s.packets])).toEqual([
      ['0x00000100', 2],
      ['0x00000200', 2],
    ]);
    expect(r.icmp.echoRepliesOut).toBe(2);
    // On the wire: only ESP (protocol 50) in IPv4, in fragments (3000 bytes + ESP > 1450).
    const ipv4 = [...new PcapReader(readFileSync(pcap))].filter((x) => x.data[12] === 0x08 && x.data[13] === 0x00);
    expect(ipv4.length).toBe(2 * 2 * 3);
    expect(ipv4.every((x) => x.data[14 + 9] === 50)).toBe(true);
  }, 60_000);

  it('--xfrm-state ... flag esn: ping across the wrap of the low 32 bits of both sequence counters', async () => {
    const [a, b] = loopbackPair();
    // Each side's outbound counter starts at 2^32-1 (the first packet is 2^32-1, then high half 1, low 0);
    // each inbound window starts just below it.
    const esn = (us: string, them: string, first: boolean) =>
      espArgs(us, them, first, 'flag esn replay-oseq 0xfffffffe', 'flag esn replay-seq 0xfffffff0');
    const host = hostOn(a, b, esn('192.0.2.2', '192.0.2.3', true));
    await host.ready;
    const ping = await exec([
      'ping',
      '--ip',
      '192.0.2.3/24',
      '--vxlan',
      `${b}:4789,${a}:4789`,
      ...esn('192.0.2.3', '192.0.2.2', false),
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '10',
      '192.0.2.2',
    ]).done;
    host.kill('SIGTERM');
    const h = await host.done;
    expect(ping.code, ping.stderr + ping.stdout.toString()).toBe(0);
    expect(ping.stdout.toString()).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    expect(h.code, h.stderr).toBe(0);
    const r = JSON.parse(h.stdout.toString());
    expect(r.ipsec.espIn).toMatchObject({ received: 3, delivered: 3, drops: {} });
    type State = {
      spi: string;
      esn: boolean;
      seqOutHi: number;
      seqOut: number;
      replayTopHi: number;
      replayTop: number;
    };
    expect(r.ipsec.states.map((s: State) => [s.spi, s.esn, s.seqOutHi, s.seqOut, s.replayTopHi, s.replayTop])).toEqual([
      ['0x00000100', true, 1, 1, 0, 0], // outbound: 2^32-1, 2^32, 2^32+1 sent
      ['0x00000200', true, 0, 0, 1, 1], // inbound: the window crossed the wrap
    ]);
  }, 60_000);

  it('--trace-registers prints the NIC register accesses (QEMU -trace style) on stderr', async () => {
    const [a, b] = loopbackPair();
    const host = hostOn(a, b, ['--trace-registers', 'I*']);
    await host.ready;
    const ping = await exec([
      'ping',
      '--ip',
      '192.0.2.3/24',
      '--vxlan',
      `${b}:4789,${a}:4789`,
      '-c',
      '1',
      '-W',
      '3',
      '192.0.2.2',
    ]).done;
    host.kill('SIGTERM');
    const h = await host.done;
    expect(ping.code, ping.stderr).toBe(0);
    expect(h.code, h.stderr).toBe(0);
    // the interrupt routine reads ICR; the poll's completion unmasks through IMS
    expect(h.stderr).toMatch(/ read32 ICR\[0x00c0\] -> 0x/);
    expect(h.stderr).toMatch(/ write32 IMS\[0x00d0\] = 0x/);
    expect(h.stderr).not.toMatch(/ RDT\[/); // filtered out by the glob
    JSON.parse(h.stdout.toString()); // stdout still carries exactly one JSON object
  }, 60_000);
});
