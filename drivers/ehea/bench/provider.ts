/**
 * The ehea packet paths as a benchkit {@link PacketBenchProvider} (`@ifnet/ehea/bench`), for `ifnet bench`.
 *
 * Cases, each next to the hand-fused reference of `rx.ts` (Toeplitz hash by table, indirection table, copy
 * into that queue's buffer ring, header check): `rx` — 60-byte UDP datagrams of 1,024 flows through the
 * device's RSS steering and DMA, the per-queue interrupt routines and polls, `if_input`, Ethernet, IPv4 and
 * UDP to a socket that frees them, with 4 active queues; and the same path with 1, 2, 4 and 8 queues on
 * one CPU as `rx_q1` .. `rx_q8` (the cost of multi-queue on one CPU). Real clock, bursts of 256 frames.
 *
 * @module
 */
import type { PacketBenchCase, PacketBenchProvider } from '@ifnet/benchkit';
import { RealTimeRunner, flowFrames, receiveLoop, referenceLoop, rig } from './rx.js';

const BURST = 256;

/** The provider: one real-time runner for all cases, stopped by `dispose`. */
export function eheaBenchProvider(): PacketBenchProvider {
  let runner: RealTimeRunner | undefined;
  return {
    name: 'ehea',
    cases({ quick }): PacketBenchCase[] {
      runner = new RealTimeRunner();
      const frames = flowFrames();
      const reference = 'hash + indirection table + copy into the queue ring + check header';
      const at = (queues: number, key: string): PacketBenchCase => ({
        key,
        frameLen: 60,
        name: `ehea, ${queues} queue${queues > 1 ? 's' : ''} on one CPU: RSS -> per-queue polls -> IPv4 -> UDP socket`,
        run: receiveLoop(rig(runner!, queues, 'rx'), frames, BURST),
        reference: { name: reference, fn: referenceLoop(frames, queues) },
      });
      const counts = quick ? [1, 8] : [1, 2, 4, 8];
      return [at(4, 'rx'), ...counts.map((n) => at(n, `rx_q${n}`))];
    },
    dispose(): void {
      runner?.stop();
    },
  };
}
