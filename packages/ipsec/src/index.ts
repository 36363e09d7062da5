export * from './replay.js';
export * from './xfrm-state.js';
export * from './esp-input.js';
export * from './ipsec.js';
export * from './esp-output.js';
export * from './xfrm-policy.js';
export * from './xfrm-in-policy.js';
export * from './xfrm-args.js';
