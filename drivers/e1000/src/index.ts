/**
 * @ifnet/e1000: an Intel 8254x (82540EM) device model and its `wm` driver.
 *
 * - {@link E1000Device}: the hardware — registers at their real offsets, legacy descriptors in host memory
 *   moved by DMA, interrupt moderation on the clock. Plug it into a host (`host.attachDevice`) and a wire.
 * - {@link e1000Driver} / {@link registerE1000}: the driver, matched by autoconfiguration on 8086:100E.
 *
 * @module
 */
export * from './regs.js';
export * from './device/crc32.js';
export * from './device/e1000-device.js';
export * from './driver/wm.js';
