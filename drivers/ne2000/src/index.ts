/**
 * @ifnet/ne2000: an NE2000-compatible (National DP8390) device model and its `ne` driver — the PIO half
 * of seed 000.
 *
 * - {@link Ne2000Device}: the hardware — DP8390 register pages at I/O ports, the remote-DMA data port,
 *   card memory with the station PROM and the receive ring, transmit from card memory. Plug it into a host
 *   (`host.attachDevice`) and a wire.
 * - {@link ne2000Driver} / {@link registerNe2000}: the driver, matched by autoconfiguration on 10EC:8029.
 *
 * @module
 */
export * from './regs.js';
export * from './mar-hash.js';
export * from './device/ne2000-stats.js';
export * from './device/ne2000-device.js';
export * from './driver/rx-prealloc.js';
export * from './driver/ne-drops.js';
export * from './driver/ne-datapath.js';
export * from './driver/ne.js';
