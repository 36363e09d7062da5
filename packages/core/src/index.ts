import 'reflect-metadata';
export * from './kern/time.js';
export * from './kern/clock.js';
export * from './bus/registers.js';
export * from './bus/dma.js';
export * from './bus/interrupt-line.js';
export * from './bus/device.js';
export * from './bus/wire.js';
