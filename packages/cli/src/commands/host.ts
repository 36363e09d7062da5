/**
 * `ifnet host`: one ifnet host on a real network until interrupted — a NIC (e1000, ...), an IPv4 address,
 * the NIC's port on a VXLAN or QEMU UDP tunnel. It answers ARP and ping, runs the UDP echo service when
 * asked, writes a pcap of its link when asked, and on SIGINT/SIGTERM (or after `--duration`) prints its
 * counters: `netstat -i`-like text, or one JSON object with `--json`.
 *
 * stdout carries the ready line and the counters — unless `--pcap -` puts the capture there, in which
 * case they go to stderr.
 */
import { type Coalescing, formatCoalescing, parseCoalescing } from '@ifnet/core';
import { udpEchoService } from '@ifnet/inet';
import type { Command } from 'commander';
import { openTunnelHost } from '../host/open-host.js';
import { type RawHostOptions, addHostOptions, parseHostOptions } from '../host/options.js';
import { formatHostReport, hostReport } from '../host/report.js';
import { runUntilSignal } from '../host/run-until.js';
import { formatMac } from '@ifnet/ether';
import { UsageError, parseNumberOption } from '../usage-error.js';

interface HostCommandOptions extends RawHostOptions {
  udpEcho?: string;
  duration?: string;
  json?: boolean;
  traceRegisters?: string;
  coalesce?: string;
}

/** `--coalesce rx-usecs=N,rx-frames=N` (ethtool -C's field names), or a {@link UsageError}. */
function parseCoalesceOption(text: string): Partial<Coalescing> {
  try {
    return parseCoalescing(text);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(`--coalesce: ${err.message}`);
    throw err;
  }
}

export function registerHost(program: Command): void {
  addHostOptions(
    program
      .command('host')
      .description('run one host on a real network (VXLAN or QEMU UDP tunnel) until interrupted; print counters'),
  )
    .option('--udp-echo <port>', 'run the UDP echo service (RFC 862) on this port')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--json', 'print the counters as one JSON object')
    .option(
      '--trace-registers <glob>',
      "print the NIC's register accesses on stderr as they happen (QEMU's -trace): a glob on register names, e.g. 'I*' or '*'",
    )
    .option(
      '--coalesce <spec>',
      "receive interrupt coalescing of every NIC queue, as ethtool -C: 'rx-usecs=N[,rx-frames=N]' (the driver maps it onto its hardware, e.g. the e1000's ITR, or the kernel emulates rx-usecs)",
    )
    .action(async (opts: HostCommandOptions) => {
      const config = parseHostOptions(opts);
      const coalesce = opts.coalesce === undefined ? undefined : parseCoalesceOption(opts.coalesce);
      const echoPort =
        opts.udpEcho === undefined
          ? undefined
          : parseNumberOption('--udp-echo', opts.udpEcho, { integer: true, min: 1, max: 65535 });
      const duration =
        opts.duration === undefined ? undefined : parseNumberOption('--duration', opts.duration, { min: 0 });
      const out = config.pcap === '-' ? process.stderr : process.stdout;
      const h = await openTunnelHost(config);
      if (coalesce !== undefined) {
        try {
          h.ifp.setCoalescing(coalesce); // ETHTOOL_SCOALESCE: the driver may refuse (EOPNOTSUPP)
        } catch (err) {
          await h.stop();
          if (err instanceof RangeError) throw new UsageError(`--coalesce: ${err.message}`);
          throw err;
        }
      }
      if (echoPort !== undefined) udpEchoService(h.host, echoPort);
      if (opts.traceRegisters !== undefined) {
        if (opts.traceRegisters.trim() === '') throw new UsageError('--trace-registers: empty pattern');
        h.host.traceRegisters({
          filter: opts.traceRegisters,
          limit: 1,
          print: (line) => process.stderr.write(`${line}\n`),
        });
      }
      const msg = process.stderr === out || opts.json ? process.stderr : out;
      msg.write(
        `ifnet host: ${h.ifp.name} (${config.nic}) ${formatMac(h.ifp.lladdr)} inet ${config.ip} mtu ${h.ifp.mtu}` +
          ` on ${h.tunnel.describe()}` +
          `${coalesce !== undefined ? `, ${formatCoalescing(h.ifp.getCoalescing())}` : ''}${echoPort !== undefined ? `, udp echo on port ${echoPort}` : ''}` +
          `${config.pcap !== undefined ? `, pcap to ${config.pcap === '-' ? 'stdout' : config.pcap}` : ''}: ready\n`,
      );
      const why = await runUntilSignal(duration);
      await h.stop();
      if (opts.json) out.write(`${JSON.stringify(hostReport(h, { stoppedBy: why }))}\n`);
      else out.write(`${formatHostReport(h)}\n`);
    });
}
