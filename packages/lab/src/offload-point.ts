/**
 * One point of the offload experiment (`ifnet lab offload`): one model, one offered rate, one card queue
 * depth, on the virtual clock.
 *
 * Workload (the same for both models): an {@link EspSource} sends ESP-protected UDP datagrams (AES-GCM-128,
 * 110-byte frames, 32 bytes of UDP payload) at a constant rate into an e1000; `wm` → IPv4 → ESP (protocol
 * 50, `@ifnet/ipsec`) → `crypto_dispatch` → the bcm5823-like card (`@ifnet/cryptocard`, which decrypts for
 * real) → completion interrupt → `crypto_done` → ESP's completion continuation → UDP → a socket on port 9
 * (128 datagrams) drained by an application at process level that spends the profile's `app` layer per
 * datagram. Latency is frame arrival on the wire → the application.
 *
 * @module
 */
import {
  type CostProfile,
  type InterruptSource,
  Netisr,
  Simulation,
  alwaysUnmask,
  createPlatform,
  msec,
} from '@ifnet/core';
import { CryptoCardDevice, type CryptoCardDriver, registerCryptoCard } from '@ifnet/cryptocard';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { ETHERTYPE_IP, inetFor, registerInet } from '@ifnet/inet';
import { ipsecFor, registerIpsec } from '@ifnet/ipsec';
import { EspSource, OFFLOAD_SA, espFrameLayout, sharedEspFrameBook } from './esp-workload.js';
import { InterruptThreads, THREAD_NAMES } from './interrupt-threads.js';
import { type OffloadModelName, offloadCostProfile } from './offload-models.js';
import { percentile } from './percentile.js';
import { openSink } from './lab-host.js';
import { mbufsBalanced, readCounters, softwareDropsSinceBoot, windowFigures } from './point-counters.js';
import { LATENCY_SAMPLES } from './run-point.js';

export interface OffloadRunOptions {
  seed?: number;
  /** Measured window (ms of simulated time), after {@link warmupMs}. Default 50. */
  windowMs?: number;
  /** Warm-up before measuring (ms). Default 10. */
  warmupMs?: number;
  /** Cost profile; default {@link offloadCostProfile} (core's default + `contextSwitch` 2 µs). */
  costs?: CostProfile;
  /** Host clock rate (ticks per second). Default 1000. */
  hz?: number;
  /** The card's work queue depth (a power of two). Default `@ifnet/cryptocard`'s: 4, the bcm5823's. */
  queueDepth?: number;
  /** The card's throughput (bytes/s) and per-command time (ns): `@ifnet/cryptocard`'s defaults otherwise. */
  cardBytesPerSecond?: number;
  cardSetupNs?: number;
  /**
   * Mogul's feedback from the full socket to input processing (`inputFeedback`, as the livelock lab's
   * `continuation` model): default true in both models, so overload shows the models' own costs rather
   * than receive livelock one layer up, which `ifnet lab livelock` covers.
   */
  feedback?: boolean;
}

/** One row of the offload sweep (snake_case: the JSON shape of `ifnet lab offload --json`). */
export interface OffloadPoint {
  offered_pps: number;
  queue_depth: number;
  /** Datagrams per second handed to the application. */
  delivered_pps: number;
  /** Context switches per delivered datagram (0 in the continuation model). */
  switches_per_packet: number;
  switches_per_s: number;
  /** Context switches per second by the thread switched to (`user`, `NIC ithread`, …); empty without threads. */
  switches_to: Record<string, number>;
  nic_interrupts_per_s: number;
  card_interrupts_per_s: number;
  latency_p50_us: number;
  latency_p99_us: number;
  /** Share of the CPU (0..1): `interrupt`, `softnet`, `softclock`, `process`, `switch` (context switches), `idle`. */
  cpu: Record<string, number>;
  /** CPU time per delivered datagram (µs), switches included. */
  cpu_us_per_packet: number;
  /** Share of the time the card's engine was working. */
  card_busy: number;
  /** Drops per second by named reason; `nic.missed` is the NIC's own (no free receive descriptor). */
  drops: Record<string, number>;
  /** Every offered frame delivered, dropped with a reason, or refused by the medium. */
  accounted: boolean;
  /** After the run and `ifp.down()`: every mbuf back in the pool (none lost in flight, ESP jobs included). */
  mbufs_balanced: boolean;
}

/** Runs one model at one offered rate and card queue depth, and measures it. */
export function runOffloadPoint(model: OffloadModelName, rate: number, options: OffloadRunOptions = {}): OffloadPoint {
  const windowMs = options.windowMs ?? 50;
  const warmupMs = options.warmupMs ?? 10;
  const sim = new Simulation({ seed: options.seed ?? 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerIpsec(platform);
  registerE1000(platform, {});
  registerCryptoCard(platform);
  const host = platform.createHost({
    name: 'dut',
    runner: sim,
    costs: options.costs ?? offloadCostProfile(),
    hz: options.hz ?? 1000,
    mitigationPolicy: alwaysUnmask,
  });
  const nic = new E1000Device({ mac: OFFLOAD_SA.dstMac });
  const card = new CryptoCardDevice({
    queueDepth: options.queueDepth,
    bytesPerSecond: options.cardBytesPerSecond,
    setupNs: options.cardSetupNs,
  });
  const nicSlot = host.attachDevice(nic);
  const cardSlot = host.attachDevice(card);
  host.autoconf();
  const sc = nicSlot.driver as WmSoftc;
  const cc = cardSlot.driver as CryptoCardDriver;
  const ifp = sc.ifp;
  ifp.upIf();
  inetFor(host).addAddress(ifp, `${OFFLOAD_SA.dst}/24`);
  // After autoconf, so the SA's session lands on the card.
  ipsecFor(host).addState({
    src: OFFLOAD_SA.src,
    dst: OFFLOAD_SA.dst,
    proto: 'esp',
    spi: OFFLOAD_SA.spi,
    mode: 'transport',
    aead: { name: 'rfc4106(gcm(aes))', key: OFFLOAD_SA.key, icvBits: 128 },
  });

  let threads: InterruptThreads | null = null;
  if (model === 'interrupt-thread') {
    // ether_input queues IPv4 on ipintrq and wakes the softint thread (the seed's step 1 → 2).
    const ip = host.ethertypes.lookup(ETHERTYPE_IP);
    if (ip === undefined) throw new Error('offload: IPv4 is not attached');
    host.ethertypes.unregister(ETHERTYPE_IP);
    const ipintrq = new Netisr(host, { name: 'ipintrq', input: ip.input });
    host.ethertypes.register(ETHERTYPE_IP, 'ipintrq', ipintrq.asInput);
    const ctx = ifp.pollContexts[0];
    const cardLine = cardSlot.attachArgs.irqs[0] as InterruptSource;
    threads = new InterruptThreads(host.cpu, ctx.interruptLine as InterruptSource, ctx.kc, cardLine).install();
  }

  const book = sharedEspFrameBook();
  const src = new EspSource(sim.clock, book, rate);
  src.attach(nic);
  const latencies = new Float64Array(LATENCY_SAMPLES);
  let nLat = 0;
  let delivered = 0;
  let measuring = false;
  const sink = openSink(host, OFFLOAD_SA.dport, options.feedback ?? true, (seq) => {
    if (!measuring) return;
    delivered++;
    latencies[nLat++ & (LATENCY_SAMPLES - 1)] = host.now() - src.arrival(seq);
  });

  const t0 = msec(1);
  src.start(t0);
  sim.runUntil(t0 + msec(warmupMs));
  const lab = { host, dev: nic, ifp };
  const snap = () => ({
    ...readCounters(lab),
    cardIntr: cc.stats.interrupts,
    ops: card.stats.ops,
    switches: threads?.stats.switches ?? 0,
    switchesTo: Array.from(threads?.stats.switchesTo ?? []),
    switchNs: Array.from(threads?.stats.switchNs ?? [0, 0, 0, 0]),
  });
  const s0 = snap();
  measuring = true;
  sim.runUntil(t0 + msec(warmupMs + windowMs));
  measuring = false;
  const s1 = snap();
  src.stop();
  sim.runFor(msec(20));

  const w = windowMs / 1000;
  const windowNs = w * 1e9;
  const f = windowFigures(s0, s1, w);
  // The switches' time, taken out of the context the CPU booked it to ([interrupt, levels 0, 1, 2]).
  const sw = s1.switchNs.map((v, i) => (v - s0.switchNs[i]) / windowNs);
  const cpu = { ...f.cpu };
  cpu.interrupt -= sw[0];
  cpu.process -= sw[1];
  cpu.softclock -= sw[2];
  cpu.softnet -= sw[3];
  cpu.switch = sw[0] + sw[1] + sw[2] + sw[3];
  const busy = 1 - cpu.idle;
  const nd = nic.stats;
  const accounted =
    src.offered === src.refused + (nd.rxFrames - nd.rxDelivered) + softwareDropsSinceBoot(lab) + sink.stats.received;
  sink.close();
  void ifp.down(); // frees the ring's buffers
  sim.runFor(msec(1));
  const balanced = mbufsBalanced(lab);
  const { espPayload } = espFrameLayout(book.payload);
  const opNs = card.setupNs + Math.round(((espPayload + 8) * 1e9) / card.bytesPerSecond);
  const switches = s1.switches - s0.switches;
  const kept = Math.min(nLat, LATENCY_SAMPLES);
  threads?.uninstall();
  return {
    offered_pps: rate,
    queue_depth: card.queueDepth,
    delivered_pps: delivered / w,
    switches_per_packet: delivered > 0 ? switches / delivered : 0,
    switches_per_s: switches / w,
    switches_to: Object.fromEntries(s1.switchesTo.map((n, i) => [THREAD_NAMES[i], (n - s0.switchesTo[i]) / w])),
    nic_interrupts_per_s: f.interrupts / w,
    card_interrupts_per_s: (s1.cardIntr - s0.cardIntr) / w,
    latency_p50_us: percentile(latencies, kept, 50) / 1000,
    latency_p99_us: percentile(latencies, kept, 99) / 1000,
    cpu,
    cpu_us_per_packet: delivered > 0 ? (busy * windowNs) / delivered / 1000 : 0,
    card_busy: Math.min(1, ((s1.ops - s0.ops) * opNs) / windowNs),
    drops: f.drops,
    accounted,
    mbufs_balanced: balanced,
  };
}
