/**
 * `pnpm bench` in @ifnet/core: every core benchmark, each figure next to a reference measured in the same
 * run. `pnpm bench mbuf` or `pnpm bench kernel` runs one suite.
 */
import { runMbufBench } from './mbuf.js';

const only = process.argv[2];

if (only === undefined || only === 'mbuf') {
  runMbufBench();
  console.log('');
}
if (only === undefined || only === 'kernel') {
  await import('./kernel.js');
}
