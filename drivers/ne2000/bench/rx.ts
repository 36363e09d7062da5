/**
 * The NE2000 receive benchmark as one table: the ne2000 (PIO) next to the e1000 (DMA) on the same frames
 * and a hand-fused reference, measured in the same run (real clock, real CPU). The NE2000 rig, loop and
 * reference are the provider's (`provider.ts`); the e1000's come from `@ifnet/e1000/bench`.
 *
 * @module
 */
import { Bench } from '@ifnet/benchkit';
import { RealTimeRunner } from '@ifnet/core';
import { receiveLoop as wmReceiveLoop, rig as wmRig } from '@ifnet/e1000/bench';
import { PAGE_RING_REFERENCE, benchFrame, neReceiveLoop, neRig, pageRingReference } from './provider.js';

/** Runs and prints the receive benchmark. */
export function runRxBench(rounds = 7): void {
  const runner = new RealTimeRunner();
  const ne = neRig(runner, 'rx');
  const wm = wmRig(runner, 'rx');
  const small = benchFrame(60);
  const large = benchFrame(1514);
  const bench = new Bench(
    'ne2000 receive path: card ring -> PIO in the interrupt -> poll -> if_input -> ether -> protocol (frees)',
    { rounds },
  );
  bench.group(
    '60-byte frames (packets)',
    { name: PAGE_RING_REFERENCE, fn: pageRingReference(small, 32) },
    [
      { name: 'ne2000 (PIO), 32-frame bursts', fn: neReceiveLoop(ne, small, 32) },
      { name: 'e1000 (DMA), 32-frame bursts', fn: wmReceiveLoop(wm, small, 32) },
      { name: 'ne2000 (PIO), 1 frame per interrupt', fn: neReceiveLoop(ne, small, 1) },
      { name: 'e1000 (DMA), 1 frame per interrupt', fn: wmReceiveLoop(wm, small, 1) },
    ],
    { ops: 100_000 },
  );
  bench.group(
    '1514-byte frames (packets)',
    { name: PAGE_RING_REFERENCE, fn: pageRingReference(large, 8) },
    [
      { name: 'ne2000 (PIO), 8-frame bursts', fn: neReceiveLoop(ne, large, 8) },
      { name: 'e1000 (DMA), 8-frame bursts', fn: wmReceiveLoop(wm, large, 8) },
    ],
    { ops: 20_000 },
  );
  bench.run();
  runner.stop();
}
