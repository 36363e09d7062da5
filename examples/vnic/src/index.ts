/**
 * @ifnet/example-vnic: an example third-party driver package — a small virtio-net-like NIC model
 * ({@link VnicDevice}) and its driver ({@link VnicDriver}), registered through DI with {@link registerVnic}.
 * It depends only on `@ifnet/core`'s public exports and proves itself with `@ifnet/testkit`.
 *
 * @module
 */
export * from './regs.js';
export * from './device/vnic-device.js';
export * from './driver/vnic.js';
