/**
 * @ifnet/e1000: an Intel 8254x (82540EM) device model and its `wm` driver — what a user needs.
 *
 * - {@link E1000Device}: the hardware — registers at their real offsets, legacy descriptors in host memory
 *   moved by DMA, interrupt moderation on the clock, receive checksum offload. Plug it into a host
 *   (`host.attachDevice`) and a wire.
 * - {@link registerE1000} / {@link e1000Driver} / {@link WmSoftc}: the driver, matched by autoconfiguration
 *   on 8086:100E; its drop reasons ({@link WmDrop}) and events.
 *
 * Registers and bits are in `@ifnet/e1000/regs`, the register-access trace in `@ifnet/e1000/trace`, the
 * model's and driver's internals (units, checksum, CRC) in `@ifnet/e1000/internals`.
 *
 * @module
 */
export { E1000Device, type E1000DeviceOptions, parseMac } from './device/e1000-device.js';
export type { E1000DeviceStats } from './device/statistics.js';
export {
  E1000_IDS,
  E1000_OPTIONS,
  type E1000Options,
  WM_MAX_MTU,
  WM_MAX_RX_USECS,
  WmSoftc,
  e1000Driver,
  registerE1000,
  wmMatch,
} from './driver/wm.js';
export { WmDrop, type WmDropReason, type WmEvents } from './driver/wm-drops.js';
