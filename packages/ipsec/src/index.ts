export * from './replay.js';
export * from './xfrm-state.js';
export * from './esp-input.js';
export * from './ipsec.js';
