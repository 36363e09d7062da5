/**
 * `ifnet demo`: the project's main job, runnable by anyone with Node — an e1000 host and an NE2000 host on
 * a virtual cable (ARP, ping, UDP echo, `netstat -i` counters), then a short receive-livelock sweep across
 * the interrupt-handling models (`@ifnet/lab`), on the deterministic virtual clock.
 */
import { runDemo } from '@ifnet/lab';
import type { Command } from 'commander';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'e1000 + NE2000 hosts on a virtual cable (ARP, ping, UDP echo), then a receive-livelock sweep (virtual clock)',
    )
    .action(async () => {
      await runDemo();
    });
}
