/**
 * Vega-Lite specifications of the livelock figures, built from a sweep report: plain JSON, so this stays
 * platform-neutral; `@ifnet/cli` renders them to SVG with `vega` in Node (or a browser page can embed them).
 * One line per model, log-scaled offered load on x.
 */
import type { LivelockReport } from './sweep.js';

export interface PlotSpec {
  /** File stem, e.g. `delivered`. */
  name: string;
  title: string;
  /** A Vega-Lite v5 specification. */
  spec: Record<string, unknown>;
}

const FIGURES: readonly OfferedLoadFigure[] = [
  {
    name: 'delivered',
    field: 'delivered_pps',
    title: 'Receive livelock: delivered to the application vs offered load',
    axis: 'delivered to the application (datagrams/s)',
  },
  {
    name: 'interrupts',
    field: 'interrupts_per_s',
    title: 'Interrupts per second vs offered load',
    axis: 'interrupts/s',
  },
  {
    name: 'latency',
    field: 'latency_p50_us',
    title: 'Median latency, frame arrival → application, vs offered load',
    axis: 'latency p50 (µs)',
  },
];

export function livelockPlotSpecs(report: LivelockReport): PlotSpec[] {
  const values = offeredLoadValues(report.models, 'interrupts_per_s');
  return offeredLoadLines(FIGURES, values, report.clock, 'offered load (frames/s)');
}

/** The fields every offered-load row carries. */
interface OfferedLoadRow {
  offered_pps: number;
  delivered_pps: number;
  latency_p50_us: number;
}

/**
 * The data rows of {@link offeredLoadLines}, one per point of every model: offered, delivered, the one
 * figure-specific `field`, and median latency.
 */
export function offeredLoadValues<P extends OfferedLoadRow>(
  models: Record<string, readonly P[]>,
  field: keyof P & string,
): Record<string, number | string | null>[] {
  const values: Record<string, number | string | null>[] = [];
  for (const [model, rows] of Object.entries(models)) {
    for (const p of rows) {
      values.push({
        model,
        offered_pps: p.offered_pps,
        delivered_pps: p.delivered_pps,
        [field]: p[field] as number,
        // No delivery, no latency: a gap in the line, not a fall to 0 (Vega-Lite leaves null out).
        latency_p50_us: p.delivered_pps > 0 ? p.latency_p50_us : null,
      });
    }
  }
  return values;
}

/** One figure of {@link offeredLoadLines}: the row field on y, its axis title, the file stem. */
export interface OfferedLoadFigure {
  name: string;
  field: string;
  title: string;
  axis: string;
}

/** Title, size and background every lab figure shares. */
export function figureFrame(title: string, clock: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${title} (${clock} clock)`,
    width: 560,
    height: 320,
    background: 'white',
  };
}

/** One line chart per figure: `field` against log-scaled `offered_pps`, one line per `model`. */
export function offeredLoadLines(
  figures: readonly OfferedLoadFigure[],
  values: Record<string, number | string | null>[],
  clock: string,
  xTitle: string,
): PlotSpec[] {
  return figures.map((f) => ({
    name: f.name,
    title: f.title,
    spec: {
      ...figureFrame(f.title, clock),
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'offered_pps', type: 'quantitative', scale: { type: 'log' }, title: xTitle },
        y: { field: f.field, type: 'quantitative', title: f.axis },
        color: { field: 'model', type: 'nominal', title: 'model' },
      },
    },
  }));
}
