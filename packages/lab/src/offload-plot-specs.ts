/**
 * Vega-Lite specifications of the offload figures (plain JSON; `@ifnet/cli` renders them to SVG): delivered,
 * context switches per packet and median latency against log-scaled offered load, one line per model; and
 * delivered against the card's queue depth at one overload rate.
 */
import type { OffloadReport } from './offload-sweep.js';
import {
  type OfferedLoadFigure,
  type PlotSpec,
  figureFrame,
  offeredLoadLines,
  offeredLoadValues,
} from './plot-specs.js';

const FIGURES: readonly OfferedLoadFigure[] = [
  {
    name: 'delivered',
    field: 'delivered_pps',
    title: 'ESP receive: delivered to the application vs offered load',
    axis: 'delivered to the application (datagrams/s)',
  },
  {
    name: 'switches',
    field: 'switches_per_packet',
    title: 'Context switches per delivered packet vs offered load',
    axis: 'context switches per packet',
  },
  {
    name: 'latency',
    field: 'latency_p50_us',
    title: 'Median latency, frame arrival → application, vs offered load',
    axis: 'latency p50 (µs)',
  },
];

export function offloadPlotSpecs(report: OffloadReport): PlotSpec[] {
  const values = offeredLoadValues(report.models, 'switches_per_packet');
  const specs = offeredLoadLines(FIGURES, values, report.clock, 'offered load (ESP datagrams/s)');
  const depthValues: Record<string, number | string>[] = [];
  for (const [model, rows] of Object.entries(report.depth.models))
    for (const p of rows) depthValues.push({ model, depth: String(p.queue_depth), delivered_pps: p.delivered_pps });
  const title = `Delivered vs the card's queue depth at ${report.depth.offered_pps.toLocaleString('en-US')}/s offered`;
  specs.push({
    name: 'depth',
    title,
    spec: {
      ...figureFrame(title, report.clock),
      data: { values: depthValues },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'depth', type: 'ordinal', title: 'card work queue depth', sort: null },
        xOffset: { field: 'model' },
        y: { field: 'delivered_pps', type: 'quantitative', title: 'delivered to the application (datagrams/s)' },
        color: { field: 'model', type: 'nominal', title: 'model' },
      },
    },
  });
  return specs;
}
