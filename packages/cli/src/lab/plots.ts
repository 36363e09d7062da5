/**
 * Renders `@ifnet/lab`'s Vega-Lite figures to SVG files, in Node without a DOM: `vega-lite` compiles each
 * spec to Vega, `vega`'s headless View (renderer `none`) produces the SVG text. Chosen over Observable Plot
 * because it needs no server-side DOM (jsdom), and pinned to vega 5.33.0 / vega-lite 5.23.0, whose
 * `engines` allow Node 20 (vega-lite 6 needs Node 22).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LivelockReport,
  type OffloadReport,
  type PlotSpec,
  livelockPlotSpecs,
  offloadPlotSpecs,
} from '@ifnet/lab';
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** Writes `<dir>/livelock-<name>.svg` for every figure; returns the paths written. */
export function writeLivelockPlots(report: LivelockReport, dir: string): Promise<string[]> {
  return writePlotSpecs(livelockPlotSpecs(report), dir, 'livelock');
}

/** Writes `<dir>/offload-<name>.svg` for every figure of `ifnet lab offload`; returns the paths written. */
export function writeOffloadPlots(report: OffloadReport, dir: string): Promise<string[]> {
  return writePlotSpecs(offloadPlotSpecs(report), dir, 'offload');
}

/** Renders each Vega-Lite spec to `<dir>/<prefix>-<name>.svg`; returns the paths written. */
export async function writePlotSpecs(specs: readonly PlotSpec[], dir: string, prefix: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const p of specs) {
    const vgSpec = compile(p.spec as unknown as Parameters<typeof compile>[0]).spec;
    const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const file = join(dir, `${prefix}-${p.name}.svg`);
    writeFileSync(file, svg);
    written.push(file);
  }
  return written;
}
