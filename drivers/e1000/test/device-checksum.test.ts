/**
 * Receive checksum offload: the model's RXCSUM/IPCS/TCPCS/UDPCS/IPE/TCPE/IXSM behaviour through the
 * register interface, and the driver's `csum_flags` on the packets it hands to `if_input`.
 */
import {
  M_CSUM_IPv4,
  M_CSUM_IPv4_BAD,
  M_CSUM_TCP_UDP_BAD,
  M_CSUM_TCPv4,
  M_CSUM_UDPv4,
  type Mbuf,
  Simulation,
} from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import {
  E1000_RXCSUM,
  RXCSUM_IPOFL,
  RXCSUM_TUOFL,
  RXD_ERR_IPE,
  RXD_ERR_TCPE,
  RXD_STAT_DD,
  RXD_STAT_EOP,
  RXD_STAT_IPCS,
  RXD_STAT_IXSM,
  RXD_STAT_TCPCS,
  RXD_STAT_UDPCS,
} from '../src/regs.js';
import { DeviceRig, MAC, PEER, ethFrame } from './device-helpers.js';
import { addNic, makePlatform } from './driver-helpers.js';
import { type Ipv4FrameOptions, ipv4Frame } from './ipv4-frames.js';

const DONE = RXD_STAT_DD | RXD_STAT_EOP;
const UDP_OK = RXD_STAT_IPCS | RXD_STAT_TCPCS | RXD_STAT_UDPCS;

/** Status and errors of the descriptor a frame landed in. */
function offload(frame: Uint8Array, rxcsum?: number): { status: number; errors: number } {
  const rig = new DeviceRig();
  rig.linkUp();
  rig.setupRx();
  if (rxcsum !== undefined) rig.write(E1000_RXCSUM, rxcsum);
  rig.inject(frame);
  return { status: rig.rxStatus(0), errors: rig.rxErrors(0) };
}

const udp = (o: Partial<Ipv4FrameOptions> = {}) => ipv4Frame({ dst: MAC, src: PEER, ...o });

describe('e1000 model: receive checksum offload (RXCSUM)', () => {
  it('is on after reset (IPOFL | TUOFL) and verifies a good UDP datagram: IPCS, TCPCS, UDPCS, no errors', () => {
    const rig = new DeviceRig();
    expect(rig.read(E1000_RXCSUM)).toBe(RXCSUM_IPOFL | RXCSUM_TUOFL);
    expect(offload(udp())).toEqual({ status: DONE | UDP_OK, errors: 0 });
    expect(offload(udp({ payload: 1000 }))).toEqual({ status: DONE | UDP_OK, errors: 0 });
    expect(offload(udp({ payload: 19 }))).toEqual({ status: DONE | UDP_OK, errors: 0 }); // odd length
  });

  it('reports a bad IPv4 header checksum as IPE, a bad UDP checksum as TCPE', () => {
    expect(offload(udp({ badIp: true }))).toEqual({ status: DONE | RXD_STAT_IPCS, errors: RXD_ERR_IPE });
    expect(offload(udp({ badUdp: true }))).toEqual({ status: DONE | UDP_OK, errors: RXD_ERR_TCPE });
  });

  it('a UDP checksum of 0 means none: verified, no error', () => {
    expect(offload(udp({ noUdpSum: true }))).toEqual({ status: DONE | UDP_OK, errors: 0 });
  });

  it('fragments and other protocols get the IP indication only; non-IP frames none', () => {
    expect(offload(udp({ fragment: true }))).toEqual({ status: DONE | RXD_STAT_IPCS, errors: 0 });
    expect(offload(udp({ proto: 1 }))).toEqual({ status: DONE | RXD_STAT_IPCS, errors: 0 });
    expect(offload(ethFrame(MAC, 60))).toEqual({ status: DONE, errors: 0 });
  });

  it('IPOFL alone checks only the header; both off says IXSM (ignore checksum indication)', () => {
    expect(offload(udp({ badUdp: true }), RXCSUM_IPOFL)).toEqual({ status: DONE | RXD_STAT_IPCS, errors: 0 });
    expect(offload(udp({ badIp: true }), RXCSUM_TUOFL)).toEqual({
      status: DONE | (UDP_OK & ~RXD_STAT_IPCS),
      errors: 0,
    });
    expect(offload(udp(), 0)).toEqual({ status: DONE | RXD_STAT_IXSM, errors: 0 });
  });
});

describe('wm: csum_flags on received packets', () => {
  function flagsFor(frames: Uint8Array[], rxChecksum = true): number[] {
    const sim = new Simulation({ seed: 2 });
    const setup = makePlatform({ rxChecksum });
    const nic = addNic(sim, setup, 'h', '02:00:00:00:00:01');
    const seen: number[] = [];
    nic.host.ethertypes.register(0x0800, 'ip-probe', (m: Mbuf) => {
      seen.push(m.pkthdr.csumFlags);
      m.pool.freem(m);
    });
    const sink = new FrameSink({ clock: sim.clock });
    sink.attach(nic.dev);
    nic.ifp.upIf();
    for (const f of frames) sink.send(f);
    sim.runFor(1_000_000);
    return seen;
  }

  it('marks verified, bad and unverified packets as NetBSD wm does', () => {
    const both = M_CSUM_TCPv4 | M_CSUM_UDPv4;
    expect(flagsFor([udp(), udp({ badIp: true }), udp({ badUdp: true }), udp({ fragment: true })])).toEqual([
      M_CSUM_IPv4 | both,
      M_CSUM_IPv4 | M_CSUM_IPv4_BAD,
      M_CSUM_IPv4 | both | M_CSUM_TCP_UDP_BAD,
      M_CSUM_IPv4,
    ]);
  });

  it('with the offload off (rxChecksum: false) the flags stay 0', () => {
    expect(flagsFor([udp(), udp({ badIp: true })], false)).toEqual([0, 0]);
  });
});
