/**
 * What `ifnet host` prints when it stops: the interface as `netstat -i` shows it, then the tunnel, IP,
 * ICMP, UDP and ARP counters and every drop by reason (`netstat -s` in a few lines) — or all of it as one
 * JSON object.
 *
 * @module
 */
import { arpFor, formatMac } from '@ifnet/ether';
import { formatAddr, icmpFor, inetFor, udpFor } from '@ifnet/inet';
import { type Ipsec, ipsecFor } from '@ifnet/ipsec';
import { type TunnelHost, wantsIpsec } from './tunnel-host.js';

/** ICMP type numbers worth a name in the summary. */
const ICMP_ECHOREPLY = 0;
const ICMP_ECHO = 8;

/** ESP and policy counters (`ip -s xfrm state`, `/proc/net/xfrm_stat` in ifnet's terms). */
function ipsecReport(ipsec: Ipsec) {
  return {
    espIn: { ...ipsec.esp.stats, drops: { ...ipsec.esp.drops } },
    espOut: { ...ipsec.espOut.stats, drops: { ...ipsec.espOut.drops } },
    policyIn: { drops: { ...ipsec.inPolicy.drops } },
    states: [...ipsec.sad.values()].map((sa) => ({
      src: formatAddr(sa.src),
      dst: formatAddr(sa.dst),
      spi: `0x${sa.spi.toString(16).padStart(8, '0')}`,
      reqid: sa.reqid,
      seqOut: sa.seqOut,
      replayTop: sa.replay.top,
      // With `flag esn`, the high halves of both 64-bit counters (Linux `oseq_hi` / `seq_hi`).
      ...(sa.esn ? { esn: true, seqOutHi: sa.seqOutHi, replayTopHi: sa.replay.topHi } : {}),
      ...sa.stats,
    })),
  };
}

/** Everything counted, as one plain object (the `--json` output). */
export function hostReport(h: TunnelHost, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const inet = inetFor(h.host);
  const icmp = icmpFor(h.host);
  const udp = udpFor(h.host);
  const addrs = inet.addresses(h.ifp).map((a) => `${formatAddr(a.addr)}/${a.prefixLen}`);
  return {
    host: h.host.name,
    uptimeSeconds: Math.round((performance.now() - h.startedAt) / 10) / 100,
    interface: {
      ...h.ifp.snapshot(),
      mac: formatMac(h.ifp.lladdr),
      addresses: addrs,
      nic: h.config.nic,
      coalescing: h.ifp.getCoalescing(),
    },
    tunnel: { description: h.tunnel.describe(), ...h.tunnel.stats, drops: { ...h.tunnel.stats.drops } },
    ip: { ...inet.stats, drops: { ...inet.stats.drops } },
    icmp: {
      received: icmp.stats.received,
      echoRequestsIn: icmp.stats.inByType[ICMP_ECHO],
      echoRepliesOut: icmp.stats.outByType[ICMP_ECHOREPLY],
      echoRequestsOut: icmp.stats.outByType[ICMP_ECHO],
      echoRepliesIn: icmp.stats.inByType[ICMP_ECHOREPLY],
      errorsReceived: icmp.stats.errorsReceived,
      rateLimited: icmp.stats.rateLimited,
      drops: { ...icmp.stats.drops },
    },
    udp: { ...udp.stats, drops: { ...udp.stats.drops } },
    arp: { ...arpFor(h.host).stats },
    mbufs: h.host.pool.snapshot(),
    pcap: h.pcap === undefined ? null : { target: h.pcap.target, ...h.pcap.writer.stats },
    ipsec: wantsIpsec(h.config) ? ipsecReport(ipsecFor(h.host)) : null,
    ...extra,
  };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const padEnd = (s: string, n: number) => s.padEnd(n);

function drops(d: Record<string, number>): string {
  const e = Object.entries(d).filter(([, n]) => n > 0);
  return e.length === 0 ? 'none' : e.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** `netstat -i`-like text, then one line per protocol. */
export function formatHostReport(h: TunnelHost): string {
  const c = h.ifp.counters;
  const inet = inetFor(h.host);
  const icmp = icmpFor(h.host);
  const udp = udpFor(h.host);
  const t = h.tunnel.stats;
  const lines: string[] = [];
  lines.push(
    `${padEnd('Name', 6)}${pad('Mtu', 6)}  ${padEnd('Network', 16)}${padEnd('Address', 19)}${pad('Ipkts', 9)}${pad('Ierrs', 7)}${pad('Idrop', 7)}${pad('Opkts', 9)}${pad('Oerrs', 7)}${pad('Odrop', 7)}`,
  );
  const row = (net: string, addr: string) =>
    `${padEnd(h.ifp.name, 6)}${pad(h.ifp.mtu, 6)}  ${padEnd(net, 16)}${padEnd(addr, 19)}${pad(c.ipackets, 9)}${pad(c.ierrors, 7)}${pad(c.iqdrops, 7)}${pad(c.opackets, 9)}${pad(c.oerrors, 7)}${pad(c.oqdrops, 7)}`;
  lines.push(row(`<Link#${h.ifp.index}>`, formatMac(h.ifp.lladdr)));
  for (const a of inet.addresses(h.ifp)) lines.push(row(`${formatAddr(a.network)}/${a.prefixLen}`, formatAddr(a.addr)));
  lines.push(
    `interrupts ${c.interrupts}, polls ${c.polls} (again ${c.pollAgain}), tick deferrals ${c.tickDeferrals}; drops: ${drops(c.drops)}`,
  );
  lines.push(
    `tunnel ${h.tunnel.describe()}: rx ${t.rxDatagrams} datagrams, ${t.rxFrames} frames; tx ${t.txFrames} datagrams; drops: ${drops(t.drops)}`,
  );
  const s = inet.stats;
  lines.push(
    `ip: ${s.received} received, ${s.delivered} delivered, ${s.fragmentsReceived} fragments in, ${s.reassembled} reassembled, ${s.sent} sent, ${s.fragmentsSent} fragments out; drops: ${drops(s.drops)}`,
  );
  const i = icmp.stats;
  lines.push(
    `icmp: ${i.inByType[ICMP_ECHO]} echo requests, ${i.outByType[ICMP_ECHOREPLY]} replies sent, ${i.outByType[ICMP_ECHO]} echo requests sent, ${i.inByType[ICMP_ECHOREPLY]} replies received; drops: ${drops(i.drops)}`,
  );
  const u = udp.stats;
  lines.push(`udp: ${u.received} received, ${u.delivered} delivered, ${u.sent} sent; drops: ${drops(u.drops)}`);
  if (wantsIpsec(h.config)) {
    const ipsec = ipsecFor(h.host);
    const i = ipsec.esp.stats;
    const o = ipsec.espOut.stats;
    lines.push(
      `esp: ${i.received} received, ${i.delivered} decrypted and delivered, ${o.sent} sent; drops: ${drops({ ...ipsec.esp.drops, ...ipsec.espOut.drops, ...ipsec.inPolicy.drops })}`,
    );
    for (const sa of ipsec.sad.values()) {
      lines.push(
        `  sa spi 0x${sa.spi.toString(16).padStart(8, '0')} ${formatAddr(sa.src)} -> ${formatAddr(sa.dst)} reqid ${sa.reqid}: ${sa.stats.packets} packets, ${sa.stats.bytes} bytes, replay ${sa.stats.replay}, icv ${sa.stats.icvFail}`,
      );
    }
  }
  if (h.pcap !== undefined) {
    const p = h.pcap.writer.stats;
    lines.push(`pcap ${h.pcap.target}: ${p.packets} packets, ${p.bytes} bytes, ${p.dropped} dropped`);
  }
  return lines.join('\n');
}
