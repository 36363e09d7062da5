/**
 * Heap bytes per packet of a workload, with benchkit's meter over V8's counters (`measureHeap` with
 * `nodeHeapProbe`): the workload is run one 64-frame burst per iteration, so the meter's bytes per
 * iteration divided by the burst is per packet.
 */
import { measureHeap } from '@ifnet/benchkit';
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import { BURST } from './workloads.js';

export interface PacketHeapCost {
  packets: number;
  /** Mean over the intervals without a collection. */
  bytesPerPacket: number;
  /**
   * Median interval's bytes per packet: what every stretch of the path allocates, robust to a stray
   * allocation elsewhere in the process (the test runner's messages); what tests assert.
   */
  medianBytesPerPacket: number;
  gcEvents: number;
}

const probe = nodeHeapProbe();

/** Measures `packets` packets of `run` (after a quarter as many as warm-up). */
export async function heapPerPacket(run: (packets: number) => number, packets: number): Promise<PacketHeapCost> {
  const bursts = Math.ceil(packets / BURST);
  // A long warm-up: every function of the path optimised (and deoptimised once, where V8 does) first.
  // One reading of V8's statistics per 256 bursts (16,384 packets): each reading allocates a little
  // itself, and per 16 bursts that noise alone was up to 0.5 B/packet.
  const c = await measureHeap(probe, () => run(BURST), bursts, { sampleEvery: 256, warmup: bursts });
  return {
    packets: bursts * BURST,
    bytesPerPacket: c.bytesPerIteration / BURST,
    medianBytesPerPacket: c.medianBytesPerIteration / BURST,
    gcEvents: c.gcEvents,
  };
}

export function describeHeap(what: string, h: PacketHeapCost): string {
  return `${what}: ${h.packets} packets, ${h.bytesPerPacket.toFixed(3)} B/packet (median interval ${h.medianBytesPerPacket.toFixed(3)}), ${h.gcEvents} GC events`;
}
