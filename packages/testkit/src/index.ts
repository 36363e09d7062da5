/**
 * @ifnet/testkit: the driver conformance kit, and test tools for everyone.
 *
 * - {@link describeDriverConformance}: one call in a driver's vitest suite runs every contract check
 *   against the driver and its device model; {@link runConformance} returns verdicts instead.
 * - `checker`: composable packet checkers (Ethernet, ARP, IPv4, ICMP, UDP).
 * - Packet builders with their own RFC 1071 checksum, and literal byte fixtures per header.
 * - The channel endpoint (gVisor's `channel.Endpoint`) is core's {@link ChannelEndpoint}, re-exported.
 *
 * @module
 */
export * from './conformance/rules.js';
export * from './conformance/subject.js';
export * from './conformance/checks.js';
export * from './conformance/run.js';
export * from './conformance/describe.js';
export { Rig, type RigNic, type RigOptions } from './conformance/rig.js';
export { probeFrame, ETHERTYPE_PROBE } from './conformance/probe.js';
export * as checker from './checker/index.js';
export * from './packet/checksum.js';
export * from './packet/builders.js';
export * from './packet/fixtures.js';
/** The one channel endpoint of the workspace lives in core (so core's, ether's and inet's own tests can use it). */
export {
  ChannelEndpoint,
  type ChannelOptions,
  type ChannelPacket,
  createChannelEndpoint,
  packetFromBytes,
} from '@ifnet/core';
