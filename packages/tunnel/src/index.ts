/**
 * @ifnet/tunnel (Node-only): links from ifnet device models to real networks — a UDP tunnel with VXLAN
 * (RFC 7348, Linux `vxlan` interfaces) or QEMU (`-netdev dgram` / `socket,udp=`) encapsulation — and
 * traffic sources on the real clock that run in a worker thread and hand frames over through a
 * SharedArrayBuffer ring.
 *
 * @module
 */
export * from './endpoint.js';
export * from './encapsulation.js';
export * from './udp-tunnel.js';
export * from './frame-ring.js';
export * from './worker-source.js';
