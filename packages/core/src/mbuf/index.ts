/**
 * mbufs: packet buffers, pools, chain operations and packet queues (BSD mbuf(9)).
 * See `mbuf.ts` for the model and the chain invariant, `pool.ts` for memory and accounting.
 *
 * @module
 */
export * from './flags.js';
export * from './errors.js';
export * from './allocation-guard.js';
export * from './pkthdr.js';
export * from './mbuf.js';
export * from './pool.js';
export * from './rx-buffer-cache.js';
export * from './m-free.js';
export * from './m-length.js';
export * from './m-truesize.js';
export * from './mtod.js';
export * from './m-getbyte.js';
export * from './m-pullup.js';
export * from './m-adj.js';
export * from './m-prepend.js';
export * from './m-copydata.js';
export * from './m-copyback.js';
export * from './m-cat.js';
export * from './m-split.js';
export * from './m-sanity.js';
export * from './mbuf-queue.js';
export * from './ownership.js';
