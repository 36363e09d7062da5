/**
 * CPU time per packet of the protocol receive path (IPv4 → UDP → socket → application), for before/after
 * comparisons on a shared machine: wall-clock rates swing with the load of other processes, the
 * process's own CPU time (`process.cpuUsage`) much less. Not a benchmark with a reference (that is
 * `bench/index.ts`). Frames are copied in with `m_devget` by a softnet continuation (as a driver's poll
 * would) in bursts of 64 and handed to `if_input` of the rig's dummy Ethernet interface; the same burst
 * of frames of an ethertype nobody but a sink handles measures `if_input` → Ethernet alone, so the
 * difference is what IPv4, UDP, the socket buffer and the application continuation cost. From this
 * directory:
 *
 * ```sh
 * node --conditions=@ifnet/source --import tsx bench/cpu-time.ts real      # checksums verified by the "NIC"
 * node --conditions=@ifnet/source --import tsx bench/cpu-time.ts real sw   # software checksums
 * ```
 *
 * Arguments: clock (`real` | `virtual`); `sw` for packets without a hardware checksum verdict (by default
 * each carries `M_CSUM_IPv4 | M_CSUM_UDPv4`, as the e1000 marks a good UDP datagram). `ROUNDS=n` in the
 * environment for more measured rounds (best of 7 by default).
 */
import { Continuation, IPL_SOFTNET, M_CSUM_IPv4, M_CSUM_UDPv4, type Mbuf } from '@ifnet/core';
import { rig, udpFrame } from './rig.js';

const BURST = 64;
const ETHERTYPE_EXP = 0x88b5;

const r = rig(process.argv[2] === 'virtual' ? 'virtual' : 'real');
const udp = udpFrame(18);
const other = udp.slice();
other[12] = ETHERTYPE_EXP >>> 8;
other[13] = ETHERTYPE_EXP & 0xff;
let sunk = 0;
r.host.ethertypes.register(ETHERTYPE_EXP, 'cpu-time-sink', (m: Mbuf) => {
  sunk++;
  m.pool.freem(m);
});
const pool = r.host.pool;
const cpu = r.host.cpu;
const ifp = r.ifp;
const csumFlags = process.argv.includes('sw') ? 0 : M_CSUM_IPv4 | M_CSUM_UDPv4;
let frame = udp;
const burst = new Continuation<null>(
  'cpu-time.burst',
  IPL_SOFTNET,
  () => {
    for (let i = 0; i < BURST; i++) {
      const m = pool.devget(frame, 0, frame.length, null)!;
      m.pkthdr.csumFlags = csumFlags;
      ifp.input(m);
    }
  },
  null,
);

function run(packets: number): void {
  for (let i = 0; i < packets; i += BURST) {
    cpu.sched.schedule(burst);
    while (cpu.runUnit()) {
      /* the burst, then the socket's application continuation */
    }
  }
}

/** Best (smallest) CPU time per packet over the rounds, in ns. */
function measure(f: Uint8Array): number {
  frame = f;
  run(BURST * 3000);
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < Number(process.env.ROUNDS ?? 7); k++) {
    const c0 = process.cpuUsage();
    run(BURST * 2000);
    const c = process.cpuUsage(c0);
    best = Math.min(best, ((c.user + c.system) * 1000) / (BURST * 2000));
  }
  return best;
}

const toSocket = measure(udp);
const toSink = measure(other);
const payload = BURST * 2000 * (udp.length - 42);
if (r.delivered() < payload || sunk < BURST * 2000) throw new Error('packets were lost');
console.log(
  `${csumFlags === 0 ? 'software sums' : 'NIC-verified sums'}: to a UDP socket ${toSocket.toFixed(1)} ns, ` +
    `to an Ethernet sink ${toSink.toFixed(1)} ns, IPv4 + UDP + socket ${(toSocket - toSink).toFixed(1)} ns per packet of CPU time`,
);
r.stop();
