/**
 * `pnpm bench` in @ifnet/ne2000: the receive benchmark (see `rx.ts`), with the e1000 and a hand-fused
 * reference measured in the same run.
 */
import { runRxBench } from './rx.js';

runRxBench();
