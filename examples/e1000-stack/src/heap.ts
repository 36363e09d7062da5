/**
 * Heap accounting for allocation tests, from V8's own statistics: young-generation collections
 * (scavenges, seen as PerformanceObserver 'gc' entries) and the growth of `new_space` over the measured
 * section, after a warm-up that lets every function reach optimised code and a full collection. Short-lived
 * garbage lands in the young generation, so with no scavenge in between its growth is what the section
 * allocated. Never timing.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export interface HeapUse {
  packets: number;
  /** Bytes the young generation grew by. */
  young: number;
  bytesPerPacket: number;
  scavenges: number;
  majors: number;
}

function newSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
}

/**
 * Runs `warm()` (warm-up), then measures `run()`, which returns the packets it moved. Both must be
 * synchronous.
 */
export async function measureHeap(warm: () => unknown, run: () => number): Promise<HeapUse> {
  warm();
  let scavenges = 0;
  let majors = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      else majors++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  gc();
  await new Promise((r) => setImmediate(r));
  scavenges = 0;
  majors = 0;
  const before = newSpaceUsed();
  const packets = run();
  const young = newSpaceUsed() - before;
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  return { packets, young, bytesPerPacket: young / packets, scavenges, majors };
}

export function describeHeap(what: string, h: HeapUse): string {
  return (
    `${what}: ${h.packets} packets, young generation +${h.young} B (${h.bytesPerPacket.toFixed(3)} B/packet), ` +
    `${h.scavenges} scavenges, ${h.majors} major GCs`
  );
}
