/**
 * `@ifnet/inet`: IPv4, ICMP and UDP for ifnet hosts. See the README for what is and is not implemented.
 *
 * @module
 */
export * from './errors.js';
export * from './addr.js';
export * from './cksum.js';
export * from './ip-header.js';
export * from './icmp-header.js';
export * from './udp-header.js';
export * from './stats.js';
export * from './drop-reasons.js';
export * from './sockbuf.js';
export * from './validate.js';
export * from './route.js';
export * from './reass.js';
export * from './inet.js';
export * from './icmp.js';
export * from './udp.js';
export * from './modules.js';
