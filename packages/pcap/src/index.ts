/**
 * @ifnet/pcap: classic libpcap captures for ifnet — a writer (taps on links and interfaces), a reader and
 * a replay traffic source. Platform-neutral; files and pipes are in `@ifnet/pcap/node`.
 *
 * @module
 */
export * from './format.js';
export * from './writer.js';
export * from './reader.js';
export * from './wire-tap.js';
export * from './if-tap.js';
export * from './replay-source.js';
