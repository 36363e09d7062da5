/**
 * `pnpm bench` in @ifnet/e1000: received packets per second through the whole receive path, on the real
 * clock and the real CPU — the e1000 model DMAs each frame into the ring, the driver's interrupt routine
 * defers, the poll reaps and refills, `if_input` runs, Ethernet dispatches by ethertype and a protocol
 * frees the packet — next to a hand-fused reference loop doing the least a receive path must do: copy the
 * frame into a ring of preallocated buffers and parse the Ethernet header. Both are measured in the same
 * run by @ifnet/benchkit.
 *
 * The traffic loop drives the device directly through its wire port (`wireReceive`) and then runs the
 * CPU's units until it is idle; no timer is involved in the hot loop (the mitigation policy always unmasks,
 * so nothing waits for a clock tick). A burst is what arrives between two interrupts.
 */
import { Bench } from '@ifnet/benchkit';
import { RealTimeRunner } from '@ifnet/core';
import { frame, receiveLoop, referenceLoop, rig } from './provider.js';

const runner = new RealTimeRunner();
const word = rig(runner, 'rx');
const small = frame(60);
const large = frame(1514);

const bench = new Bench('e1000 receive path: device DMA -> wm poll -> if_input -> ether -> protocol (frees)', {
  rounds: 7,
});
bench.group(
  '60-byte frames (packets)',
  { name: 'copy into buffer ring + parse Ethernet header', fn: referenceLoop(small) },
  [
    { name: 'wm, 64-frame bursts (DMA maps)', fn: receiveLoop(word, small, 64) },
    { name: 'wm, 1 frame per interrupt', fn: receiveLoop(word, small, 1) },
  ],
  { ops: 200_000 },
);
bench.group(
  '1514-byte frames (packets)',
  { name: 'copy into buffer ring + parse Ethernet header', fn: referenceLoop(large) },
  [{ name: 'wm, 64-frame bursts (DMA maps)', fn: receiveLoop(word, large, 64) }],
  { ops: 40_000 },
);
bench.run();

const s = word.sc.ctx.stats;
console.log(
  `wm0 over the whole run: ${word.sc.ifp.counters.ipackets.toLocaleString('en-US')} packets, ` +
    `${s.interrupts.toLocaleString('en-US')} interrupts, ${s.polls.toLocaleString('en-US')} polls, ` +
    `drops ${JSON.stringify(word.sc.ifp.counters.drops)}`,
);
runner.stop();
