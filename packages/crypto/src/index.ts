export * from './request.js';
export * from './session.js';
export * from './driver.js';
export * from './gcm.js';
export * from './framework.js';
export * from './cryptosoft.js';
export * from './gcm-vectors.js';
