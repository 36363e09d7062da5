import { describe, expect, it } from 'vitest';
import {
  type PacketBenchCase,
  type PacketBenchProvider,
  caseKey,
  formatPacketReport,
  measureHeap,
  runPacketBenches,
} from '../src/index.js';
import { nodeHeapProbe } from '../src/node.js';

/** A plain-JavaScript 60-byte "path" that copies each frame into a ring and allocates nothing. */
function copyCase(frame: Uint8Array, ring: Uint8Array): PacketBenchCase {
  return {
    key: 'sink',
    frameLen: 60,
    name: 'copy',
    ops: 20_000,
    run: (ops) => {
      for (let i = 0; i < ops; i++) ring.set(frame, (i & 63) * 2048);
      return ops;
    },
    reference: { name: 'copy (ref)', fn: (ops) => ops },
  };
}

/** Two plain-JavaScript "paths": one that allocates an object per packet, one that does not. */
function provider(disposed: { n: number }): PacketBenchProvider {
  const ring = new Uint8Array(64 * 2048);
  const frame = new Uint8Array(60).fill(7);
  const keep: object[] = new Array(256).fill(null);
  return {
    name: 'toy',
    cases: () => [
      copyCase(frame, ring),
      {
        key: 'sink',
        frameLen: 1514,
        name: 'allocating',
        ops: 20_000,
        run: (ops) => {
          for (let i = 0; i < ops; i++) keep[i & 255] = { i };
          return ops;
        },
        reference: { name: 'nothing', fn: (ops) => ops },
      },
    ],
    dispose: () => {
      disposed.n++;
    },
  };
}

describe('packet benches', () => {
  it('report keys, ratios and heap figures per provider; dispose is called', async () => {
    const disposed = { n: 0 };
    const report = await runPacketBenches([provider(disposed)], { probe: nodeHeapProbe(), quick: true });
    expect(Object.keys(report).sort()).toEqual(['sink', 'sink_1514']);
    const copy = report.sink.toy;
    expect(copy.ratio).toBeCloseTo(copy.mpps / copy.reference_mpps, 9);
    expect(copy.heap_bytes_per_packet).toBeLessThan(1);
    expect(report.sink_1514.toy.heap_bytes_per_packet).toBeGreaterThan(8);
    expect(disposed.n).toBe(1);
    expect(formatPacketReport(report)).toMatch(/sink_1514\s+toy/);
    expect(caseKey({ key: 'rx', frameLen: 60 } as never)).toBe('rx');
  });

  it('measures a basis interleaved with the case and reports its rate and ratio', async () => {
    const frame = new Uint8Array(60).fill(1);
    const ring = new Uint8Array(64 * 2048);
    const basisProvider: PacketBenchProvider = {
      name: 'toy',
      cases: () => [
        {
          ...copyCase(frame, ring),
          basis: {
            name: 'copy twice',
            fn: (ops) => {
              for (let i = 0; i < ops; i++) {
                ring.set(frame, (i & 63) * 2048);
                ring.set(frame, ((i + 1) & 63) * 2048);
              }
              return ops;
            },
          },
        },
      ],
    };
    const r = (await runPacketBenches([basisProvider], { quick: true })).sink.toy;
    expect(r.basis).toBe('copy twice');
    expect(r.basis_mpps).toBeGreaterThan(0);
    expect(r.basis_ratio).toBeCloseTo(r.mpps / r.basis_mpps!, 9);
    // Without a basis, the fields are absent (not null): the JSON keeps its shape.
    const plain = (await runPacketBenches([provider({ n: 0 })], { quick: true, only: ['sink_1514'] })).sink_1514.toy;
    expect('basis' in plain).toBe(false);
  });

  it('without a probe, heap and GC figures are null', async () => {
    const report = await runPacketBenches([provider({ n: 0 })], { quick: true, only: ['sink_1514'] });
    expect(Object.keys(report)).toEqual(['sink_1514']);
    expect(report.sink_1514.toy.heap_bytes_per_packet).toBeNull();
    expect(report.sink_1514.toy.gc_events).toBeNull();
  });

  it('measureHeap sees 16+ bytes per iteration for an object per iteration, through scavenges', async () => {
    const keep: object[] = new Array(1024).fill(null);
    const h = await measureHeap(
      nodeHeapProbe(),
      (i) => {
        keep[i & 1023] = { a: i };
      },
      2_000_000,
      { warmup: 100_000 },
    );
    expect(h.gcEvents).toBeGreaterThan(0);
    expect(h.bytesPerIteration).toBeGreaterThan(12);
    expect(h.bytesPerIteration).toBeLessThan(64);
  });
});
