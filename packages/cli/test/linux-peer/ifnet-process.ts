/**
 * What the Linux-peer tests share about the ifnet side: starting `ifnet host` in a namespace and waiting
 * for its ready line, reading ping statistics, and checking a capture with tshark.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapReader } from '@ifnet/pcap';
import { type PeerNetwork, sh } from './netns.js';

/** The `ifnet` command of this workspace. */
export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'ifnet.mjs');

/** What tshark must not find in a capture. */
export const FLAGGED = '_ws.malformed || _ws.expert.severity >= error || _ws.expert.group == checksum';

/** A running `ifnet host` in the ifnet namespace, with what it printed. */
export interface RunningHost {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

/** Starts `ifnet host ARGS` inside namespace `ns`; resolves once it printed its ready line. */
export function startHost(ns: string, args: string[]): Promise<RunningHost> {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, bin, 'host', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const h: RunningHost = {
    proc,
    stdout: '',
    stderr: '',
    exited: new Promise((r) => proc.on('exit', (code) => r(code))),
  };
  proc.stdout!.on('data', (d) => (h.stdout += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ifnet host not ready after 60 s:\n${h.stderr}`)), 60_000);
    proc.stderr!.on('data', (d) => {
      h.stderr += d;
      if (/: ready\n/.test(h.stderr)) {
        clearTimeout(timer);
        resolve(h);
      }
    });
    void h.exited.then((code) => reject(new Error(`ifnet host exited (${code}) before ready:\n${h.stderr}`)));
  });
}

/** `N packets transmitted, M received, X% packet loss` from iputils (or ifnet) ping output. */
export function pingStats(out: string) {
  const m = /(\d+) packets transmitted, (\d+) received(?:, \+(\d+) errors)?, ([\d.]+)% packet loss/.exec(out);
  if (m === null) throw new Error(`no ping statistics in:\n${out}`);
  return { transmitted: +m[1], received: +m[2], errors: +(m[3] ?? 0), loss: +m[4] };
}

/**
 * What tshark flags in a capture with the IP and UDP checksum checks on (empty when it is clean), and the
 * number of records (read with our own reader: tshark exits non-zero on a file it cannot read to the end,
 * so one tshark pass is enough).
 */
export function tsharkCheck(file: string): { flagged: string; packets: number } {
  const args = ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', FLAGGED];
  const flagged = sh('tshark', args, { timeout: 60_000 });
  let packets = 0;
  for (const _ of new PcapReader(readFileSync(file))) packets++;
  return { flagged: flagged.trim(), packets };
}

/**
 * The clean-up of a Linux-peer suite, whatever happened: kills the host if it still runs, deletes both
 * namespaces and the temporary directory. Returns the namespaces left (none, unless deleting failed).
 */
export async function tearDown(
  host: RunningHost | undefined,
  net: PeerNetwork | undefined,
  dir: string,
): Promise<string> {
  if (host !== undefined && host.proc.exitCode === null) {
    host.proc.kill('SIGKILL');
    await host.exited;
  }
  net?.destroy();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  if (net === undefined) return '';
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .filter((l) => l.startsWith(net.ifnet) || l.startsWith(net.linux))
    .join('\n');
}
