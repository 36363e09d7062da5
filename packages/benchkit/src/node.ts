/**
 * `@ifnet/benchkit/node`: the Node-only parts of benchkit, kept out of the main entry so that benchkit runs
 * in browsers. A {@link HeapProbe} over V8: the young generation's used size from
 * `v8.getHeapSpaceStatistics()` (`new_space`), GC events from a PerformanceObserver on 'gc' entries (every
 * kind: scavenges, mark-compacts, incremental marking, weak callbacks), and a full collection through the
 * `gc` function that `--expose-gc` provides (turned on here at run time).
 *
 * @module
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HeapProbe } from './heap.js';

let gcFn: (() => void) | undefined;

function fullGc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** A {@link HeapProbe} for Node (V8). */
export function nodeHeapProbe(): HeapProbe {
  let observer: PerformanceObserver | undefined;
  let events = 0;
  let t0 = 0;
  let t1 = Number.POSITIVE_INFINITY;
  return {
    youngUsed(): number {
      const spaces = getHeapSpaceStatistics();
      for (let i = 0; i < spaces.length; i++)
        if (spaces[i].space_name === 'new_space') return spaces[i].space_used_size;
      throw new Error('benchkit: no new_space in V8 heap statistics');
    },
    startGcCount(): void {
      events = 0;
      t0 = performance.now();
      t1 = Number.POSITIVE_INFINITY;
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.startTime >= t0 && e.startTime <= t1) events++;
      });
      observer.observe({ entryTypes: ['gc'] });
    },
    async stopGcCount(): Promise<number> {
      t1 = performance.now();
      // GC entries are delivered asynchronously, after the window.
      await new Promise((r) => setTimeout(r, 50));
      observer?.disconnect();
      observer = undefined;
      return events;
    },
    collect: fullGc,
  };
}
