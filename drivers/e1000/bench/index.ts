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
import { type Host, type Mbuf, RealTimeRunner, type WireEndpoint, alwaysUnmask, createPlatform } from '@ifnet/core';
import { registerEther } from '@ifnet/ether';
import { FrameSink } from '@ifnet/wire';
import { E1000Device, type WmSoftc, registerE1000 } from '../src/index.js';

const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const ETHERTYPE_EXP = 0x88b5;

interface Rig {
  host: Host;
  port: WireEndpoint;
  sc: WmSoftc;
  delivered: () => number;
}

function rig(runner: RealTimeRunner, name: string): Rig {
  const platform = createPlatform();
  registerEther(platform);
  registerE1000(platform, { rxDescriptors: 256 });
  let delivered = 0;
  platform.registerProtocol({
    name: 'bench-sink',
    attach(host) {
      host.ethertypes.register(ETHERTYPE_EXP, 'bench-sink', (m: Mbuf) => {
        delivered++;
        m.pool.freem(m);
      });
    },
  });
  const host = platform.createHost({
    name: `bench-${name}`,
    runner,
    mitigationPolicy: alwaysUnmask,
    loopback: false,
  });
  const dev = new E1000Device({ mac: MAC });
  host.attachDevice(dev);
  const sc = host.autoconf()[0].driver as WmSoftc;
  const port = new FrameSink({ capture: false }).attach(dev);
  sc.ifp.upIf();
  return { host, port, sc, delivered: () => delivered };
}

function frame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(MAC, 0);
  f.set([0x02, 0, 0, 0, 0, 0x02], 6);
  f[12] = ETHERTYPE_EXP >>> 8;
  f[13] = ETHERTYPE_EXP & 0xff;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

/** `ops` frames in bursts of `burst`: each burst is DMA'd by the device, then the CPU runs until idle. */
function receiveLoop(r: Rig, f: Uint8Array, burst: number) {
  const cpu = r.host.cpu;
  const port = r.port;
  const len = f.length;
  return (ops: number): number => {
    const before = r.delivered();
    for (let i = 0; i < ops; ) {
      const k = Math.min(ops - i, burst);
      for (let j = 0; j < k; j++) port.wireReceive(f, 0, len);
      while (cpu.runUnit()) {
        /* interrupt, poll continuation(s) */
      }
      i += k;
    }
    const got = r.delivered() - before;
    if (got !== ops)
      throw new Error(`bench: ${ops - got} of ${ops} frames lost (${JSON.stringify(r.sc.ifp.counters.drops)})`);
    return got;
  };
}

/**
 * The reference: copy each frame into the next buffer of a ring preallocated in one ArrayBuffer (a memcpy:
 * `set` of the whole frame array, no view created), then parse the Ethernet header — destination is ours,
 * ethertype is the one we serve — and count it.
 */
function referenceLoop(f: Uint8Array) {
  const slots = 256;
  const arena = new ArrayBuffer(slots * 2048);
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < slots; i++) bufs.push(new Uint8Array(arena, i * 2048, 2048));
  const m0 = MAC[0];
  const m1 = MAC[1];
  const m2 = MAC[2];
  const m3 = MAC[3];
  const m4 = MAC[4];
  const m5 = MAC[5];
  return (ops: number): number => {
    let n = 0;
    for (let i = 0; i < ops; i++) {
      const b = bufs[i & (slots - 1)];
      b.set(f);
      if (
        b[0] === m0 &&
        b[1] === m1 &&
        b[2] === m2 &&
        b[3] === m3 &&
        b[4] === m4 &&
        b[5] === m5 &&
        ((b[12] << 8) | b[13]) === ETHERTYPE_EXP
      ) {
        n++;
      }
    }
    return n;
  };
}

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
