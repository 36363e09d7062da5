/**
 * The producer side of a {@link WorkerTrafficSource}: the body of the worker thread. It is a
 * self-contained function (no imports, no closures) because it is started from its own source text
 * (`new Worker(code, { eval: true })`): that runs the same in the workspace (TypeScript sources) and from
 * the compiled package, with nothing to resolve in the worker. Everything it needs — the ring's shared
 * memory and layout, the frames, the rate — comes in `workerData`.
 *
 * It generates frames on the wall clock: frame `n` is due at `t0 + n / rate`; whatever is due is written
 * (or counted as dropped when the ring is full), then the thread sleeps on `Atomics.wait` until the next
 * frame is due (or until asked to stop). So the offered load does not depend on how busy the CPU thread
 * is: that is the point.
 *
 * @module
 */

/** What the producer receives as `workerData`. */
export interface ProducerData {
  sab: SharedArrayBuffer;
  slots: number;
  slotBytes: number;
  control: {
    head: number;
    tail: number;
    dropped: number;
    stop: number;
    done: number;
    generated: number;
    /** Byte offset of the float64 "frame 0 was due at" (ms since the epoch). */
    startMs: number;
    bytes: number;
  };
  slotHeader: number;
  /** Frames, used in turn. */
  frames: Uint8Array[];
  /** Where the 32-bit big-endian sequence number goes in each frame. */
  seqOffset: number;
  firstSeq: number;
  /** Frames per second. */
  rate: number;
  /** Frames to generate; -1 for no limit. */
  count: number;
}

/** The worker's main function (see the module doc for why it is self-contained). */
export function producerMain(): void {
  // An eval'd worker is a CommonJS script: `require` is a global there.
  const w: ProducerData = (globalThis as any).require('node:worker_threads').workerData;
  const c = w.control;
  const ctrl = new Int32Array(w.sab, 0, 8);
  const bytes = new Uint8Array(w.sab);
  const view = new DataView(w.sab);
  const mask = w.slots - 1;
  const periodMs = 1000 / w.rate;
  const t0 = performance.now();
  // Published before any frame (the atomic store of the tail orders it for the consumer).
  view.setFloat64(c.startMs, performance.timeOrigin + t0, true);
  let n = 0;
  let seq = w.firstSeq >>> 0;
  let tail = Atomics.load(ctrl, c.tail);
  while (Atomics.load(ctrl, c.stop) === 0 && (w.count < 0 || n < w.count)) {
    const now = performance.now();
    let due = Math.floor((now - t0) / periodMs) + 1 - n;
    if (w.count >= 0 && due > w.count - n) due = w.count - n;
    if (due <= 0) {
      const waitMs = t0 + n * periodMs - now;
      Atomics.wait(ctrl, c.stop, 0, Math.min(Math.max(waitMs, 0.01), 5));
      continue;
    }
    const stamp = performance.timeOrigin + now;
    for (let i = 0; i < due; i++) {
      const frame = w.frames[n % w.frames.length];
      if (((tail - Atomics.load(ctrl, c.head)) | 0) >= w.slots) {
        Atomics.add(ctrl, c.dropped, 1);
      } else {
        const off = c.bytes + (tail & mask) * w.slotBytes;
        view.setUint32(off, frame.length, true);
        view.setFloat64(off + 8, stamp, true);
        const at = off + w.slotHeader;
        bytes.set(frame, at);
        const s = at + w.seqOffset;
        bytes[s] = seq >>> 24;
        bytes[s + 1] = (seq >>> 16) & 0xff;
        bytes[s + 2] = (seq >>> 8) & 0xff;
        bytes[s + 3] = seq & 0xff;
        tail = (tail + 1) | 0;
        Atomics.store(ctrl, c.tail, tail);
      }
      seq = (seq + 1) >>> 0;
      n++;
      Atomics.store(ctrl, c.generated, n | 0);
    }
  }
  Atomics.store(ctrl, c.done, 1);
}
