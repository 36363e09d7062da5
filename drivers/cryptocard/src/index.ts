export * from './regs.js';
export * from './cryptocard-device.js';
export * from './cryptocard-driver.js';
