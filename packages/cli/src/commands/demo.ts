/**
 * `ifnet demo`: the project's main job, runnable by anyone with Node — two hosts on a virtual cable
 * (ARP, ping, UDP echo), then an overload experiment across interrupt mitigation policies, on the
 * deterministic virtual clock.
 */
import type { Command } from 'commander';
import { runDemo } from '@ifnet/example-demo';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('two hosts on a virtual cable (ARP, ping, UDP echo), then an overload experiment (virtual clock)')
    .action(async () => {
      await runDemo();
    });
}
