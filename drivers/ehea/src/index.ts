/**
 * @ifnet/ehea: an IBM eHEA-like multi-queue NIC with receive-side scaling, and its `ehea` driver.
 *
 * - {@link EheaDevice}: the hardware — 1..16 port resources (queue pair, completion queue, event queue,
 *   one interrupt line each), doorbells that add credits, completion entries with a valid/toggle bit,
 *   Toeplitz RSS with a programmable key and a 128-entry indirection table.
 * - {@link eheaDriver} / {@link registerEhea}: the driver, one interface with one poll context per queue.
 * - {@link toeplitzHash} / {@link ToeplitzHasher}: the RSS hash, reproducing Microsoft's verification suite.
 *
 * @module
 */
export * from './regs.js';
export * from './rss/toeplitz.js';
export * from './rss/classify.js';
export * from './device/port-resource.js';
export * from './device/ehea-device.js';
export * from './driver/queue.js';
export * from './driver/options.js';
export * from './driver/ehea.js';
