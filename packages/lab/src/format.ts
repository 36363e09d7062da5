/** Plain-text table of a sweep, one line per model and rate (what `ifnet lab livelock` prints). */
import type { LivelockReport } from './sweep.js';

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatLivelockTable(report: LivelockReport): string {
  const lines = [
    `clock ${report.clock}, seed ${report.seed}, ${report.window_ms} ms measured per point`,
    'model                      offered/s   to app/s   intr/s  pkts/intr  tick polls/s  p50 µs  p99 µs  CPU intr/softnet/proc  drops/s by reason',
  ];
  for (const [model, rows] of Object.entries(report.models)) {
    for (const p of rows) {
      const drops = Object.entries(p.drops)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${n0(v)}`)
        .join(', ');
      const lat = (us: number) => (p.delivered_pps > 0 ? us.toFixed(0) : '-'); // nothing delivered: no latency
      const pct = (k: string) => `${Math.round((p.cpu[k] ?? 0) * 100)}%`;
      lines.push(
        `${model.padEnd(24)} ${n0(p.offered_pps).padStart(10)} ${n0(p.delivered_pps).padStart(10)} ` +
          `${n0(p.interrupts_per_s).padStart(8)} ${p.packets_per_interrupt.toFixed(1).padStart(10)} ` +
          `${n0(p.tick_polls_per_s).padStart(13)} ${lat(p.latency_p50_us).padStart(7)} ` +
          `${lat(p.latency_p99_us).padStart(7)}  ${`${pct('interrupt')}/${pct('softnet')}/${pct('process')}`.padStart(21)}  ` +
          `${drops || '-'}${p.interrupt_allocs_per_s > 0 ? `; allocs in interrupt ${n0(p.interrupt_allocs_per_s)}` : ''}` +
          `${p.accounted ? '' : '  (NOT ACCOUNTED)'}${p.mbufs_balanced ? '' : '  (MBUFS NOT BALANCED)'}`,
      );
    }
  }
  return lines.join('\n');
}
