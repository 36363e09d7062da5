import { interruptModel, runPoint } from './src/index.js';
const models = process.argv[2].split(',');
const rates = (process.argv[3] ?? '10000,50000,100000,150000,200000,350000,500000,1488095,2500000')
  .split(',')
  .map(Number);
for (const m of models)
  for (const r of rates) {
    const t = performance.now();
    const p = runPoint(interruptModel(m), r, { windowMs: 20 });
    console.log(
      m,
      r,
      Math.round(p.delivered_pps),
      'intr',
      Math.round(p.interrupts_per_s),
      'ppi',
      p.packets_per_interrupt.toFixed(1),
      'p50',
      p.latency_p50_us.toFixed(0),
      JSON.stringify(p.drops),
      JSON.stringify(Object.fromEntries(Object.entries(p.cpu).map(([k, v]) => [k, +v.toFixed(2)]))),
      p.accounted,
      p.mbufs_balanced,
      Math.round(p.interrupt_allocs_per_s),
      p.ipintrq_high_water,
      Math.round(performance.now() - t) + 'ms',
    );
  }
