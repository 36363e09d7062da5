export * from './replay.js';
export * from './xfrm-state.js';
