/**
 * The host every livelock point measures, on either clock: an e1000 model with the `wm` driver, IPv4 and
 * UDP, and a sink socket on port 9 (receive queue {@link SINK_RECEIVE_QUEUE}) that an application drains at
 * process level. The model picks the poll context's mitigation policy, the e1000's moderation and the
 * socket's input feedback. The traffic (virtual `TrafficSource` or real-clock worker) is the caller's.
 *
 * @module
 */
import {
  type CostProfile,
  DEFAULT_COST_PROFILE,
  type Host,
  type Ifnet,
  type Runner,
  createPlatform,
  m_getUint32,
} from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { type UdpSocket, inetFor, registerInet, udpFor } from '@ifnet/inet';
import { LegacyInput } from './legacy-input.js';
import type { InterruptModel } from './models.js';
import { udpFrame } from './udp-frame.js';

/** Socket receive queue of the sink (datagrams). */
export const SINK_RECEIVE_QUEUE = 128;
const MAC = '02:00:00:00:00:0b';

export interface LabHostOptions {
  costs?: CostProfile;
  /** Host clock rate (ticks per second). Default 1000. */
  hz?: number;
  /** The e1000's link speed (bits/s). Default 1 Gb/s. */
  linkSpeed?: number;
}

export interface LabHost {
  readonly host: Host;
  readonly dev: E1000Device;
  readonly driver: WmSoftc;
  readonly ifp: Ifnet;
  readonly sink: UdpSocket;
  /** The frame the traffic source sends (60 bytes, UDP to the sink; sequence at `UDP_FRAME_SEQ_OFFSET`). */
  readonly template: Uint8Array;
  /** The classic models' top half and `ipintrq` ({@link InterruptModel.topHalf}); null for the others. */
  readonly legacy: LegacyInput | null;
}

/**
 * Builds the host on `runner`'s clock. `onDatagram(seq)` is the application: it runs at process level for
 * every datagram the sink hands over (the mbuf is already freed), after the profile's `app` cost is charged.
 */
export function createLabHost(
  model: InterruptModel,
  runner: Runner,
  options: LabHostOptions,
  onDatagram: (seq: number) => void,
): LabHost {
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform, model.e1000);
  const host = platform.createHost({
    name: 'dut',
    runner,
    costs: options.costs ?? DEFAULT_COST_PROFILE,
    hz: options.hz ?? 1000,
    mitigationPolicy: model.policy,
    // The classic models allocate in interrupt context (the top half's copy, the ring refill): counted.
    allocationGuard: model.topHalf ? 'count' : 'throw',
  });
  const dev = new E1000Device({ mac: MAC, linkSpeed: options.linkSpeed });
  host.attachDevice(dev);
  const [slot] = host.autoconf();
  const driver = slot.driver as WmSoftc;
  const ifp = driver.ifp;
  ifp.upIf();
  inetFor(host).addAddress(ifp, '10.0.0.2/24');
  let legacy: LegacyInput | null = null;
  if (model.topHalf) {
    ifp.pollContexts[0].setInterruptWork(model.topHalf);
    legacy = new LegacyInput(host, model.topHalf.ipintrqLength);
  }
  const sink = openSink(host, 9, model.feedback, onDatagram);
  const template = udpFrame({
    dstMac: MAC,
    srcMac: '02:00:00:00:00:99',
    src: '10.0.0.9',
    dst: '10.0.0.2',
    sport: 5000,
    dport: 9,
    size: 60,
  });
  return { host, dev, driver, ifp, sink, template, legacy };
}

/**
 * The sink socket on `port` (receive queue {@link SINK_RECEIVE_QUEUE}, input feedback as given) and its
 * application at process level: for each datagram it reads the sequence number (first 4 payload bytes),
 * frees the mbuf (the socket handed it over), charges the profile's `app` cost, then calls `onDatagram(seq)`.
 */
export function openSink(
  host: Host,
  port: number,
  inputFeedback: boolean,
  onDatagram: (seq: number) => void,
): UdpSocket {
  const sink = udpFor(host).socket({ receiveQueue: SINK_RECEIVE_QUEUE, inputFeedback }).bind(port);
  sink.onMessage((m) => {
    const seq = m_getUint32(m, 0);
    m.pool.freem(m);
    host.cpu.chargeLayer('app');
    onDatagram(seq);
  });
  return sink;
}
