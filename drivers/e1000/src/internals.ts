/**
 * `@ifnet/e1000/internals`: the parts of the model and the driver that tests, benchmarks and tools reach
 * into — the model's units, its checksum offload and CRC, the driver's data-path class. Not needed to use
 * the package; no stability promise beyond the package's version.
 *
 * @module
 */
export { crc32 } from './device/crc32.js';
export { E1000Interrupts } from './device/interrupts.js';
export { E1000Receiver } from './device/receiver.js';
export { rxChecksumBits } from './device/rx-checksum.js';
export { E1000StatRegs, newStats } from './device/statistics.js';
export { E1000Transmitter } from './device/transmitter.js';
export { MAX_TX_FRAME, WM_IMS, WmDataPath } from './driver/wm-datapath.js';
export { newWmEvents } from './driver/wm-drops.js';
