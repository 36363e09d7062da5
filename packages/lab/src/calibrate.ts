/**
 * `ifnet lab calibrate`: measures what each operation of core's {@link CostProfile} really costs on this
 * machine, running ifnet's own code, and makes a cost profile of it — so a virtual-clock sweep can run
 * with this machine's costs instead of the modelled defaults.
 *
 * Method (benchkit's: every figure the median of interleaved rounds, with its spread):
 * - **Per-packet layers, by drop depth.** 60-byte frames in bursts of 64 into the lab's e1000 host (zero
 *   cost profile, virtual clock, `napi` model), each kind stopping one layer deeper, every one counted:
 *   1. ethertype 0x88B5 (no protocol): e1000 DMA + `wm` poll + `if_input` + Ethernet, dropped `noproto`;
 *   2. IPv4 to another host: + IPv4 input (header checks, checksum), dropped as not ours;
 *   3. UDP whose length exceeds the datagram: + UDP header input, dropped `udp.badlen`;
 *   4. UDP to the lab's sink: + port demux, socket append, the application's wake-up and its callback.
 *   `ipv4` = 2 − 1, `udp` = 3 − 2, `socket` + `app` = 4 − 3 (each the median of the per-round
 *   differences; a negative one, possible on a noisy machine, is written as 0). What cannot be separated by a drop point is
 *   split in the default profile's proportions: (1) into `driverRx` : `ifInput` : `ether` = 300 : 100 :
 *   150, (4) into `socket` : `app` = 500 : 1000 (the provenance says so per layer).
 * - **Kernel primitives**, on a bare CPU: `interruptEntry` = asserting a line and taking the interrupt
 *   (controller, level switch, handler, return: JavaScript has no separate return path, so
 *   `interruptExit` is 0); `continuation` = scheduling and running a no-op continuation (the soft
 *   interrupt switch); `tick` = a hardclock tick that releases one tick-deferred continuation, minus that
 *   continuation; `registerAccess` = one 32-bit e1000 register read through a bus space that brings the
 *   hardware up to date, as a driver's access does.
 * - **Not measured** (no rx-path drop point or primitive isolates them): `driverTx`, `arp`, `icmp`,
 *   `pioPerByte`, `layerDefault` — the default's value scaled by this machine's measured/default ratio of
 *   the whole receive path.
 *
 * What it measures is ifnet's JavaScript (device models included: in a simulation the hardware's work
 * costs CPU too), not a 2 GHz CPU of the e1000 era: expect costs 5–50x below the default profile's.
 * Platform-neutral (performance.now() only).
 *
 * @module
 */
import { type BenchCase, type BenchOptions, type CaseResult, environment, measureGroup, median } from '@ifnet/benchkit';
import {
  BusSpace,
  Continuation,
  type CostProfile,
  Cpu,
  DEFAULT_COST_PROFILE,
  IPL_NET,
  IPL_SOFTNET,
  Simulation,
  VirtualClock,
  ZERO_COST_PROFILE,
  createPlatform,
  msec,
} from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { type LabHost, createLabHost } from './lab-host.js';
import { interruptModel } from './models.js';
import { udpFrame } from './udp-frame.js';

/** Frames per burst handed to the device before the host is run (a poll's budget). */
const BURST = 64;
/** e1000 `STATUS` register: read-only, no side effect. */
const E1000_STATUS = 0x8;

/** How one figure of the profile was obtained. */
export interface CalibrationNote {
  /** ns per operation as written in the profile. */
  ns: number;
  /** `measured`, `split` (a measured composite split in the default's proportions) or `scaled`. */
  how: 'measured' | 'split' | 'scaled';
  /** What was timed (and, for splits and scalings, from what). */
  from: string;
  /** Half the range of the rounds relative to the median, of the underlying measurement. */
  spread?: number;
}

/** The file `ifnet lab calibrate` writes and `ifnet lab livelock --costs` reads. */
export interface CalibratedProfile {
  format: 'ifnet-cost-profile/1';
  profile: CostProfile;
  provenance: {
    tool: string;
    date: string;
    /** Node version, OS, CPU: benchkit's `environment()`. */
    machine: string;
    /** What else ran (the command adds the load average and the core count). */
    load?: string;
    method: string;
    rounds: number;
    /** Measured composites (ns per packet or per operation). */
    measured: Record<string, number>;
    notes: Record<string, CalibrationNote>;
  };
}

export interface CalibrateOptions {
  /** Rounds per figure (default 7). */
  rounds?: number;
  /** Packets (or primitive operations / 16) per round (default 64,000). */
  ops?: number;
  /** Wall-clock source in ms (default `performance.now()`); a CPU-time clock is steadier on a shared box. */
  clock?: () => number;
  clockName?: string;
  /** Date to record (default now); tests fix it. */
  date?: Date;
}

/** A zero-cost lab host on the virtual clock, a burst pump, and per-kind frames. */
function rxRig(): { h: LabHost; sim: Simulation; burst: (frame: Uint8Array) => (ops: number) => number } {
  const sim = new Simulation({ seed: 1 });
  const h = createLabHost(interruptModel('napi'), sim, { costs: ZERO_COST_PROFILE, linkSpeed: 1e12 }, () => {});
  const port = new FrameSink({ capture: false }).attach(h.dev);
  const stats = h.dev.stats;
  const counters = h.ifp.counters;
  const cpu = h.host.cpu;
  // Every frame DMA'd has been taken by the driver, and everything it caused has run.
  const taken = () => stats.rxDelivered === counters.ipackets && !cpu.runnable;
  const burst = (frame: Uint8Array) => (ops: number) => {
    const len = frame.length;
    let n = 0;
    for (; n < ops; n += BURST) {
      const want = stats.rxFrames + BURST;
      for (let j = 0; j < BURST; j++) port.wireReceive(frame, 0, len);
      sim.runUntilTrue(taken, msec(10), 'calibrate: the burst taken');
      if (stats.rxFrames !== want || stats.rxDelivered !== want)
        throw new Error('calibrate: the device dropped frames');
    }
    return n;
  };
  return { h, sim, burst };
}

/** Offset of the UDP length in the lab's frames (Ethernet 14 + IPv4 20 + 4). */
const UDP_LEN_OFFSET = 38;

/**
 * A copy of `frame` whose UDP length claims more than the IP datagram holds: UDP input parses the header
 * and drops it (`udp.badlen`). The lab's datagrams carry no checksum (0), so this stops where the
 * delivered ones go on to the port lookup.
 */
function badUdpLength(frame: Uint8Array): Uint8Array {
  const f = frame.slice();
  f[UDP_LEN_OFFSET] = 0x02;
  f[UDP_LEN_OFFSET + 1] = 0x00;
  return f;
}

function frames(h: LabHost): Record<'ether' | 'ipv4' | 'udp' | 'socket', Uint8Array> {
  const noproto = h.template.slice();
  noproto[12] = 0x88;
  noproto[13] = 0xb5;
  const base = { dstMac: '02:00:00:00:00:0b', srcMac: '02:00:00:00:00:99', src: '10.0.0.9', sport: 5000, size: 60 };
  return {
    ether: noproto,
    ipv4: udpFrame({ ...base, dst: '10.0.0.77', dport: 9 }),
    udp: badUdpLength(h.template),
    socket: h.template,
  };
}

/** Kernel primitives on a bare CPU: interrupt round trip, continuation dispatch. */
function primitiveCases(): { interrupt: BenchCase; continuation: BenchCase; call: BenchCase } {
  const cpu = new Cpu('cal', new VirtualClock(), ZERO_COST_PROFILE);
  const line = cpu.intr.createLine('cal.line');
  let handled = 0;
  const handler = (l: typeof line): boolean => {
    l.deassert();
    handled++;
    return true;
  };
  cpu.intr.establish(line, IPL_NET, handler, line, 'cal');
  let ran = 0;
  const kc = new Continuation<null>(
    'cal.kc',
    IPL_SOFTNET,
    () => {
      ran++;
    },
    null,
  );
  return {
    call: {
      name: 'direct call of the handler',
      fn: (ops) => {
        for (let i = 0; i < ops; i++) {
          line.assert();
          handler(line);
        }
        return handled;
      },
    },
    interrupt: {
      name: 'assert line + take interrupt (cpu.runUnit)',
      fn: (ops) => {
        for (let i = 0; i < ops; i++) {
          line.assert();
          cpu.runUnit();
        }
        return handled;
      },
    },
    continuation: {
      name: 'schedule + run a continuation (cpu.runUnit)',
      fn: (ops) => {
        for (let i = 0; i < ops; i++) {
          cpu.sched.schedule(kc);
          cpu.runUnit();
        }
        return ran;
      },
    },
  };
}

/** A hardclock tick releasing one tick-deferred no-op continuation, on a zero-cost host (1000 Hz). */
function tickCase(): BenchCase {
  const sim = new Simulation({ seed: 1 });
  // A host with no device, whose only timer is the hardclock.
  const cpu = createPlatform().createHost({ name: 'cal', runner: sim, costs: ZERO_COST_PROFILE, hz: 1000 }).cpu;
  let ran = 0;
  const kc = new Continuation<null>(
    'cal.tick',
    IPL_SOFTNET,
    () => {
      ran++;
    },
    null,
  );
  return {
    name: 'hardclock tick + its continuation',
    fn: (ops) => {
      for (let i = 0; i < ops; i++) {
        cpu.sched.deferToTick(kc);
        sim.runFor(msec(1));
      }
      return ran;
    },
  };
}

function registerCase(h: LabHost): BenchCase {
  const cpu = h.host.cpu;
  const bus = new BusSpace(h.dev, 'cal BAR0', () => cpu.catchUpHardware());
  return {
    name: 'e1000 STATUS read through a bus space',
    fn: (ops) => {
      let s = 0;
      for (let i = 0; i < ops; i++) s ^= bus.read32(E1000_STATUS);
      return s;
    },
  };
}

const round1 = (ns: number) => Math.max(0, Math.round(ns * 10) / 10);

/**
 * `a − b` in ns per operation, as the median of the per-round differences: the rounds of one group are
 * interleaved, so round `r` of each case ran minutes apart at most and a machine-wide slowdown hits both;
 * differencing the medians instead would mix rounds from different moments. Spread: half the range of the
 * differences relative to their median (Infinity when it is 0).
 */
function pairedDifference(a: CaseResult, b: CaseResult): { ns: number; spread: number } {
  const diffs = a.rounds.map((rate, r) => 1e9 / rate - 1e9 / b.rounds[r]);
  const m = median(diffs);
  const spread = m === 0 ? Number.POSITIVE_INFINITY : (Math.max(...diffs) - Math.min(...diffs)) / 2 / Math.abs(m);
  return { ns: m, spread };
}

/** Measures this machine's costs and returns the profile with its provenance. */
export function calibrate(options: CalibrateOptions = {}): CalibratedProfile {
  const rounds = options.rounds ?? 7;
  const ops = options.ops ?? 64_000;
  const bench: BenchOptions = { ops, rounds, clock: options.clock, clockName: options.clockName };
  const { h, burst } = rxRig();
  const f = frames(h);
  const rx = measureGroup(
    'receive path by drop depth (ns per packet)',
    { name: 'ether: e1000 + wm + if_input + Ethernet (noproto)', fn: burst(f.ether) },
    [
      { name: 'ipv4: + IPv4 input (not ours)', fn: burst(f.ipv4) },
      { name: 'udp: + UDP header input (udp.badlen)', fn: burst(f.udp) },
      { name: 'socket: + socket, application', fn: burst(f.socket) },
    ],
    bench,
  ).results;
  const [ether, ipv4, udp, socket] = rx.map((r) => r.nsPerOp);
  if (!(ether > 0 && ipv4 > 0 && udp > 0 && socket > 0)) throw new Error('calibrate: a receive figure is not positive');
  const p = primitiveCases();
  const prim = measureGroup('kernel primitives (ns per operation)', p.call, [p.interrupt, p.continuation], {
    ...bench,
    ops: ops * 16,
  }).results;
  const [call, interrupt, continuation] = prim.map((r) => r.nsPerOp);
  const tick = measureGroup('hardclock tick (ns per tick)', tickCase(), [], {
    ...bench,
    ops: Math.max(1, Math.floor(ops / 16)),
  }).results[0];
  const reg = measureGroup('register access (ns per read)', registerCase(h), [], { ...bench, ops: ops * 16 })
    .results[0];

  const d = DEFAULT_COST_PROFILE;
  const dl = d.layer;
  const notes: Record<string, CalibrationNote> = {};
  const layer: Record<string, number> = {};
  const split = (total: number, spread: number, parts: string[], what: string) => {
    const sum = parts.reduce((s, k) => s + dl[k], 0);
    for (const k of parts) {
      layer[k] = round1((total * dl[k]) / sum);
      notes[`layer.${k}`] = {
        ns: layer[k],
        how: 'split',
        from: `${what} (${round1(total)} ns) split ${parts.map((x) => dl[x]).join(':')} as the default profile`,
        spread,
      };
    }
  };
  split(ether, rx[0].spread, ['driverRx', 'ifInput', 'ether'], 'noproto frame: e1000 DMA + wm + if_input + Ethernet');
  const measuredLayer = (k: string, a: CaseResult, b: CaseResult, from: string) => {
    const d = pairedDifference(a, b);
    layer[k] = round1(d.ns);
    notes[`layer.${k}`] = {
      ns: layer[k],
      how: 'measured',
      from: `${from} (median of per-round differences)`,
      spread: d.spread,
    };
  };
  measuredLayer('ipv4', rx[1], rx[0], 'IPv4-not-ours frame − noproto frame');
  measuredLayer('udp', rx[2], rx[1], 'udp.badlen frame − IPv4-not-ours frame');
  const dSock = pairedDifference(rx[3], rx[2]);
  split(
    dSock.ns,
    dSock.spread,
    ['socket', 'app'],
    'delivered datagram − udp.badlen frame (median of per-round differences)',
  );

  const rxMeasured = socket;
  const rxDefault = ['driverRx', 'ifInput', 'ether', 'ipv4', 'udp', 'socket', 'app'].reduce((s, k) => s + dl[k], 0);
  const scale = rxMeasured / rxDefault;
  const scaled = (key: string, def: number): number => {
    const ns = round1(def * scale);
    notes[key] = {
      ns,
      how: 'scaled',
      from: `default ${def} ns × ${scale.toFixed(4)} (measured / default receive path: ${round1(rxMeasured)} / ${rxDefault} ns)`,
    };
    return ns;
  };
  for (const k of ['driverTx', 'arp', 'icmp']) layer[k] = scaled(`layer.${k}`, dl[k]);

  const interruptEntry = round1(interrupt);
  notes.interruptEntry = {
    ns: interruptEntry,
    how: 'measured',
    from: `assert + take an interrupt with a one-line handler (a direct call of it: ${round1(call)} ns)`,
    spread: prim[1].spread,
  };
  notes.interruptExit = { ns: 0, how: 'measured', from: 'no separate return path in JavaScript: in interruptEntry' };
  const cont = round1(continuation);
  notes.continuation = {
    ns: cont,
    how: 'measured',
    from: 'schedule + run a no-op softnet continuation',
    spread: prim[2].spread,
  };
  const tickNs = round1(tick.nsPerOp - continuation);
  notes.tick = {
    ns: tickNs,
    how: 'measured',
    from: `hardclock tick releasing one continuation (${round1(tick.nsPerOp)} ns, simulation step included) − the continuation`,
    spread: tick.spread,
  };
  const registerAccess = round1(reg.nsPerOp);
  notes.registerAccess = {
    ns: registerAccess,
    how: 'measured',
    from: 'e1000 STATUS read32 through a BusSpace that catches the hardware up',
    spread: reg.spread,
  };
  const profile: CostProfile = {
    interruptEntry,
    interruptExit: 0,
    continuation: cont,
    tick: tickNs,
    registerAccess,
    pioPerByte: scaled('pioPerByte', d.pioPerByte),
    layer,
    layerDefault: scaled('layerDefault', d.layerDefault),
  };
  return {
    format: 'ifnet-cost-profile/1',
    profile,
    provenance: {
      tool: 'ifnet lab calibrate',
      date: (options.date ?? new Date()).toISOString(),
      machine: environment(),
      method: `median of ${rounds} interleaved rounds (benchkit measureGroup${options.clockName ? `, ${options.clockName}` : ''}); receive layers by drop depth, 60-byte frames in bursts of ${BURST}, zero-cost virtual-clock host; see @ifnet/lab calibrate.ts`,
      rounds,
      measured: {
        rx_noproto: round1(ether),
        rx_ipv4_not_ours: round1(ipv4),
        rx_udp_badlen: round1(udp),
        rx_delivered: round1(socket),
        interrupt: round1(interrupt),
        direct_call: round1(call),
        continuation: round1(continuation),
        tick_with_continuation: round1(tick.nsPerOp),
        register_read: round1(reg.nsPerOp),
      },
      notes,
    },
  };
}
