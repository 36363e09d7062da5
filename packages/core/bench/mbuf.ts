/**
 * mbuf benchmarks: what the pre-built pool costs per packet, next to what plain JavaScript would do for
 * the same job, measured in the same run by @ifnet/benchkit.
 *
 * 1. Buffer for a received frame: `m_gethdr` + `MCLGET` + one write + `m_free` (and `m_getcl` + `m_free`)
 *    next to `new Uint8Array(2048)` + one write.
 * 2. Copying a received frame into a packet (`m_devget` + `m_freem`) of 64 and 1500 bytes, next to
 *    `new Uint8Array(len)` + `set(frame)`.
 *
 * The references are written to be as fast as JavaScript allows (a typed-array allocation and one
 * memcpy); each loop folds a byte of the result into its return value so nothing can be optimised away.
 * The pool has a guard and a DMA mapping, as a driver's pool would.
 */
import { Bench } from '@ifnet/benchkit';
import { AllocationGuard, DmaSpace, MbufPool } from '../src/index.js';

export function runMbufBench(): void {
  const pool = new MbufPool({
    name: 'bench',
    mbufs: 1024,
    clusters: 512,
    guard: new AllocationGuard(),
    dma: new DmaSpace(),
  });

  const bench = new Bench('mbufs', { ops: 1_000_000, rounds: 7 });

  bench.group(
    'packet buffer (2 KiB) alloc + write + free',
    {
      name: 'new Uint8Array(2048)',
      fn: (ops) => {
        let s = 0;
        for (let i = 0; i < ops; i++) {
          const a = new Uint8Array(2048);
          a[i & 2047] = i;
          s = (s + a[i & 2047]) | 0;
        }
        return s;
      },
    },
    [
      {
        name: 'm_gethdr + MCLGET + m_free',
        fn: (ops) => {
          let s = 0;
          for (let i = 0; i < ops; i++) {
            const m = pool.gethdr()!;
            pool.clget(m);
            m.buf[i & 2047] = i;
            s = (s + m.buf[i & 2047]) | 0;
            pool.free(m);
          }
          return s;
        },
      },
      {
        name: 'm_getcl + m_free',
        fn: (ops) => {
          let s = 0;
          for (let i = 0; i < ops; i++) {
            const m = pool.getcl()!;
            m.buf[i & 2047] = i;
            s = (s + m.buf[i & 2047]) | 0;
            pool.free(m);
          }
          return s;
        },
      },
    ],
  );

  for (const len of [64, 1500]) {
    const frame = new Uint8Array(len);
    for (let i = 0; i < len; i++) frame[i] = i * 7;
    bench.group(
      `copy a ${len}-byte frame into a new packet`,
      {
        name: `new Uint8Array(${len}) + set`,
        fn: (ops) => {
          let s = 0;
          for (let i = 0; i < ops; i++) {
            const a = new Uint8Array(len);
            a.set(frame);
            s = (s + a[i % len]) | 0;
          }
          return s;
        },
      },
      [
        {
          name: 'm_devget + m_freem',
          fn: (ops) => {
            let s = 0;
            for (let i = 0; i < ops; i++) {
              const m = pool.devget(frame, 0, len, null)!;
              s = (s + m.buf[m.off + (i % len)]) | 0;
              pool.freem(m);
            }
            return s;
          },
        },
      ],
    );
  }

  bench.run();
  pool.assertQuiescent();
}
