/**
 * `ifnet ping ADDR`: an ifnet host on a real network (the same NIC and tunnel options as `ifnet host`) that
 * sends ICMP echo requests and reports like iputils `ping`: one line per reply, then the statistics;
 * exit status 0 when some reply came back, 1 when none did, 2 on bad arguments.
 */
import { type PingReply, formatAddr, parseAddr, ping } from '@ifnet/inet';
import type { Command } from 'commander';
import { openTunnelHost } from '../host/open-host.js';
import { type RawHostOptions, addHostOptions, parseHostOptions } from '../host/options.js';
import { runUntilSignal } from '../host/run-until.js';
import { UsageError, parseNumberOption } from '../usage-error.js';

interface PingCommandOptions extends RawHostOptions {
  count?: string;
  size: string;
  interval: string;
  timeout: string;
  json?: boolean;
}

/** Round-trip statistics as iputils prints them (ms). */
export interface PingSummary {
  destination: string;
  transmitted: number;
  received: number;
  errors: number;
  lossPercent: number;
  timeMs: number;
  rttMs: { min: number; avg: number; max: number; mdev: number } | null;
}

export function summarize(
  destination: string,
  sent: number,
  rtts: number[],
  errors: number,
  timeMs: number,
): PingSummary {
  const n = rtts.length;
  let rttMs: PingSummary['rttMs'] = null;
  if (n > 0) {
    const avg = rtts.reduce((a, b) => a + b, 0) / n;
    const sq = rtts.reduce((a, b) => a + b * b, 0) / n;
    rttMs = { min: Math.min(...rtts), avg, max: Math.max(...rtts), mdev: Math.sqrt(Math.max(0, sq - avg * avg)) };
  }
  return {
    destination,
    transmitted: sent,
    received: n,
    errors,
    lossPercent: sent === 0 ? 0 : Math.round(((sent - n) / sent) * 1000) / 10,
    timeMs: Math.round(timeMs),
    rttMs,
  };
}

export function formatSummary(s: PingSummary): string {
  const lines = [
    `--- ${s.destination} ping statistics ---`,
    `${s.transmitted} packets transmitted, ${s.received} received${s.errors > 0 ? `, +${s.errors} errors` : ''}, ${s.lossPercent}% packet loss, time ${s.timeMs}ms`,
  ];
  if (s.rttMs !== null) {
    const r = s.rttMs;
    lines.push(`rtt min/avg/max/mdev = ${[r.min, r.avg, r.max, r.mdev].map((x) => x.toFixed(3)).join('/')} ms`);
  }
  return lines.join('\n');
}

export function registerPing(program: Command): void {
  addHostOptions(
    program
      .command('ping')
      .argument('<address>', 'IPv4 address to ping')
      .description('ping from an ifnet host on a real network (VXLAN or QEMU UDP tunnel), like iputils ping'),
  )
    .option('-c, --count <n>', 'stop after n requests (default: until interrupted)')
    .option('-s, --size <bytes>', 'ICMP data bytes', '56')
    .option('-i, --interval <seconds>', 'seconds between requests', '1')
    .option('-W, --timeout <seconds>', 'seconds to wait for each reply', '2')
    .option('--json', 'print the statistics as one JSON object')
    .action(async (address: string, opts: PingCommandOptions) => {
      const config = parseHostOptions(opts);
      let dst: number;
      try {
        dst = parseAddr(address);
      } catch {
        throw new UsageError(`not an IPv4 address: '${address}'`);
      }
      const count =
        opts.count === undefined
          ? Number.POSITIVE_INFINITY
          : parseNumberOption('--count', opts.count, { integer: true, min: 1 });
      const size = parseNumberOption('--size', opts.size, { integer: true, min: 0, max: 65507 });
      const interval = parseNumberOption('--interval', opts.interval, { min: 0.001 });
      const timeout = parseNumberOption('--timeout', opts.timeout, { min: 0.001 });
      const out = config.pcap === '-' ? process.stderr : process.stdout;
      const say = (line: string) => {
        if (!opts.json) out.write(`${line}\n`);
      };
      const h = await openTunnelHost(config, 'ifnet-ping');
      const name = formatAddr(dst);
      say(`PING ${name} (${name}) ${size}(${size + 28}) bytes of data.`);
      const rtts: number[] = [];
      let sent = 0;
      let errors = 0;
      const id = process.pid & 0xffff;
      const t0 = performance.now();
      const inFlight: Promise<void>[] = [];
      let stop = false;
      const onReply = (r: PingReply) => {
        const ms = r.rtt / 1e6;
        rtts.push(ms);
        say(`${r.bytes + 8} bytes from ${formatAddr(r.from)}: icmp_seq=${r.seq} ttl=${r.ttl} time=${ms.toFixed(3)} ms`);
      };
      const onError = (seq: number, e: unknown) => {
        const code = (e as { code?: string }).code;
        if (code === 'timeout') return; // lost: counted in the summary, silent as in iputils
        errors++;
        say(
          `From ${name} icmp_seq=${seq} ${code === 'unreachable' ? 'Destination Host Unreachable' : String((e as Error).message)}`,
        );
      };
      const sender = (async () => {
        for (let seq = 1; seq <= count && !stop; seq++) {
          sent++;
          inFlight.push(
            ping(h.host, dst, { id, seq, size, timeout: timeout * 1e9 }).then(onReply, (e) => onError(seq, e)),
          );
          if (seq < count) await sleep(interval * 1000);
        }
        await Promise.all(inFlight);
      })();
      await runUntilSignal(undefined, sender);
      stop = true;
      const summary = summarize(name, sent, rtts, errors, performance.now() - t0);
      await h.stop();
      if (opts.json) out.write(`${JSON.stringify(summary)}\n`);
      else out.write(`\n${formatSummary(summary)}\n`);
      process.exitCode = rtts.length > 0 ? 0 : 1;
    });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
