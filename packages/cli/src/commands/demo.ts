/**
 * `ifnet demo`: the project's main job, runnable by anyone with Node — an e1000 host and an NE2000 host on
 * a virtual cable (ARP, ping, UDP echo, `netstat -i` counters), then a short receive-livelock sweep across
 * the interrupt-handling models (`@ifnet/lab`), on the deterministic virtual clock.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '@ifnet/lab';
import type { Command } from 'commander';
import { writeLivelockPlots } from '../lab/plots.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'e1000 + NE2000 hosts on a virtual cable (ARP, ping, UDP echo), then a receive-livelock sweep (virtual clock)',
    )
    .option('--out <dir>', 'where to write the SVG plots of the sweep', join(tmpdir(), 'ifnet-demo'))
    .action(async (opts: { out: string }) => {
      const report = await runDemo();
      const files = await writeLivelockPlots(report.livelock, opts.out);
      console.log(`\n   Plots (delivered, interrupts/s, latency vs offered, one line per model):`);
      for (const f of files) console.log(`   ${f}`);
    });
}
