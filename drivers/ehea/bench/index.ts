/**
 * `pnpm bench` in @ifnet/ehea: received packets per second through the whole multi-queue receive path on
 * the real clock and the real CPU — the device hashes each frame (Toeplitz), steers it through the
 * indirection table and DMAs it into that queue's buffer with a completion entry; each queue's interrupt
 * routine acknowledges its event queue and defers its own poll context; the polls reap completions into
 * `if_input`, Ethernet dispatches to a sink that frees — with 1, 2, 4 and 8 active queues on one CPU, next
 * to a hand-fused reference loop, all measured in the same run by @ifnet/benchkit.
 */
import { Bench } from '@ifnet/benchkit';
import { RealTimeRunner, flowFrames, receiveLoop, referenceLoop, rig } from './rx.js';

const runner = new RealTimeRunner();
const frames = flowFrames();
const counts = [1, 2, 4, 8];
const rigs = counts.map((n) => rig(runner, n));
const BURST = 256;

// The machine these figures come from is shared (2 cores, a load average of 15–19 while they were
// measured): wall time measures the neighbours as much as this code. The process's CPU time (user +
// system, µs resolution, rounds of ~100 ms) is what this process spent. `EHEA_BENCH_CLOCK=wall` measures
// wall time instead.
const wall = process.env.EHEA_BENCH_CLOCK === 'wall';
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const bench = new Bench(
  'ehea receive path: RSS steering -> per-queue interrupt -> per-queue poll -> if_input -> ether -> sink',
  { rounds: 9, ...(wall ? {} : { clock: cpuMs, clockName: 'process CPU time' }) },
);
bench.group(
  `60-byte UDP frames of 1,024 flows, bursts of ${BURST} (packets)`,
  { name: 'hash + table + copy into the queue ring + check header', fn: referenceLoop(frames, 4) },
  counts.map((n, i) => ({
    name: `ehea, ${n} queue${n > 1 ? 's' : ''} on one CPU`,
    fn: receiveLoop(rigs[i], frames, BURST),
  })),
  { ops: 200_000 },
);
bench.run();

for (const [i, n] of counts.entries()) {
  const r = rigs[i];
  const ctxs = r.sc.ifp.pollContexts;
  const pkts = r.sc.ifp.counters.ipackets;
  const intr = ctxs.reduce((s, c) => s + c.stats.interrupts, 0);
  const polls = ctxs.reduce((s, c) => s + c.stats.polls, 0);
  console.log(
    `${n} queue(s): ${pkts.toLocaleString('en-US')} packets, per 1,000 packets ${((intr * 1000) / pkts).toFixed(1)} interrupts ` +
      `and ${((polls * 1000) / pkts).toFixed(1)} polls; per queue ${ctxs.map((c) => c.stats.work).join('/')}; ` +
      `drops ${JSON.stringify(r.sc.ifp.counters.drops)}`,
  );
}
runner.stop();
