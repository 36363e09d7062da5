export * from './ether-header.js';
export * from './ether-state.js';
export * from './ether-link-layer.js';
export * from './register.js';
