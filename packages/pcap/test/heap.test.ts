/**
 * Recording allocates nothing per record: a frame (a range of a larger buffer, as a device's transmit
 * buffer is) or an mbuf chain is copied into the writer's preallocated buffer; only a flush (once per
 * buffer-full) creates a view for the sink. Measured with V8's accounting (core's heap helper).
 */
import { DmaSpace, MbufPool } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { allocationFree, heapCost } from '../../core/test/helpers/heap.js';
import { PcapWriter } from '../src/index.js';

describe('pcap writer heap cost', () => {
  it('recording frames and mbufs, with flushes to a sink, allocates nothing', async () => {
    let bytes = 0;
    const w = new PcapWriter({
      sink: {
        write(c) {
          bytes += c.length;
          return true;
        },
      },
      clock: { now: () => 1234 },
      bufferBytes: 64 * 1024,
    });
    const deviceBuffer = new Uint8Array(16384).fill(7);
    const pool = new MbufPool({ name: 'p', mbufs: 16, clusters: 8, dma: new DmaSpace() });
    const m = pool.devget(deviceBuffer.subarray(0, 1500), 0, 1500, null)!;
    const cost = await heapCost((i) => {
      if ((i & 1) === 0) w.record(deviceBuffer, 2, 60 + (i & 1023));
      else w.recordMbuf(m);
    });
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    expect(w.stats.flushes).toBeGreaterThan(1000);
    expect(bytes).toBeGreaterThan(0);
    pool.freem(m);
  });
});
