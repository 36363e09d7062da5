/** Plain-text tables of an offload report (what `ifnet lab offload` prints). */
import type { OffloadPoint } from './offload-point.js';
import type { OffloadReport } from './offload-sweep.js';

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (p: OffloadPoint, k: string) => `${Math.round((p.cpu[k] ?? 0) * 100)}%`;

function row(label: string, p: OffloadPoint): string {
  const drops = Object.entries(p.drops)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${n0(v)}`)
    .join(', ');
  const cpu = `${pct(p, 'interrupt')}/${pct(p, 'softnet')}/${pct(p, 'process')}/${pct(p, 'switch')}`;
  return (
    `${label.padEnd(18)} ${n0(p.offered_pps).padStart(9)} ${n0(p.delivered_pps).padStart(9)} ` +
    `${p.switches_per_packet.toFixed(2).padStart(7)} ${p.cpu_us_per_packet.toFixed(1).padStart(8)} ` +
    `${cpu.padStart(17)} ${p.latency_p50_us.toFixed(0).padStart(7)} ${p.latency_p99_us.toFixed(0).padStart(7)} ` +
    `${`${Math.round(p.card_busy * 100)}%`.padStart(5)}  ${drops || '-'}${p.accounted ? '' : '  (NOT ACCOUNTED)'}`
  );
}

const HEADER =
  'model               offered/s  to app/s  sw/pkt  CPU µs/pkt  intr/soft/proc/sw  p50 µs  p99 µs  card  drops/s by reason';

export function formatOffloadTable(report: OffloadReport): string {
  // The rate sweep runs at the card's default depth; say the depth its points report, not a literal.
  const depth = Object.values(report.models)[0]?.[0]?.queue_depth;
  const lines = [
    `clock ${report.clock}, seed ${report.seed}, ${report.window_ms} ms measured per point, context switch ` +
      `${report.context_switch_ns} ns, card queue depth ${depth ?? '-'}`,
    HEADER,
  ];
  for (const [model, rows] of Object.entries(report.models)) for (const p of rows) lines.push(row(model, p));
  lines.push('', `card queue depth vs throughput at ${n0(report.depth.offered_pps)}/s offered`, HEADER);
  for (const [model, rows] of Object.entries(report.depth.models))
    for (const p of rows) lines.push(row(`${model} q${p.queue_depth}`, p));
  return lines.join('\n');
}
