/**
 * Kernel benchmarks (issue: the execution model). Real clock, real CPU cost:
 *
 * 1. Continuation dispatch throughput: a continuation that re-schedules itself N times, run by the CPU's
 *    scheduler (`cpu.runUnit()`), next to the plainest JavaScript deferral there is, a chain of N
 *    `queueMicrotask` callbacks, measured in the same run.
 * 2. Interrupt-to-poll latency on the RealTimeRunner: a device asserts its line; the time until the
 *    driver's poll hands the packet to the protocol. Next to the latency of `queueMicrotask` and of
 *    `setImmediate` (what the runner uses to wake), measured in the same run.
 */
import { Bench, environment, median, sink } from '@ifnet/benchkit';
import {
  Continuation,
  IPL_SOFTNET,
  RealTimeRunner,
  Simulation,
  ZERO_COST_PROFILE,
  alwaysUnmask,
  createPlatform,
} from '../src/index.js';
import { TOY_ETHERTYPE, ToyNicDevice, ToyNicDriver } from '../test/helpers/toy-nic.js';

function dispatchThroughput(): void {
  const sim = new Simulation();
  const host = createPlatform().createHost({ name: 'bench', runner: sim, costs: ZERO_COST_PROFILE });
  const cpu = host.cpu;
  let left = 0;
  let runs = 0;
  const kc = new Continuation(
    'self-rescheduling',
    IPL_SOFTNET,
    () => {
      runs++;
      if (--left > 0) cpu.sched.schedule(kc);
    },
    null,
  );
  const continuations = (ops: number) => {
    left = ops;
    cpu.sched.schedule(kc);
    while (cpu.runUnit()) {
      /* one continuation per unit */
    }
    return runs;
  };
  // Reference: a synchronous drain of a microtask-like FIFO is not what JavaScript offers; the fair
  // reference for "defer a function and run it later" is a queueMicrotask chain, which is asynchronous,
  // so it is measured separately below. Here the reference is the fastest possible deferral: a plain
  // array-backed ring of closures drained in a loop.
  const ring: (() => void)[] = new Array(1024);
  let head = 0;
  let tail = 0;
  let ringRuns = 0;
  let ringLeft = 0;
  const step = () => {
    ringRuns++;
    if (--ringLeft > 0) {
      ring[tail] = step;
      tail = (tail + 1) & 1023;
    }
  };
  const ringLoop = (ops: number) => {
    ringLeft = ops;
    ring[tail] = step;
    tail = (tail + 1) & 1023;
    while (head !== tail) {
      const f = ring[head];
      head = (head + 1) & 1023;
      f();
    }
    return ringRuns;
  };
  new Bench('continuation dispatch (synchronous drain)', { ops: 1_000_000, rounds: 7 })
    .group('defer + run one function', { name: 'closure ring drained in a loop', fn: ringLoop }, [
      { name: 'Continuation via cpu.sched + cpu.runUnit()', fn: continuations },
    ])
    .run();
}

async function microtaskChain(n: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let left = n;
    const f = () => {
      if (--left > 0) queueMicrotask(f);
      else resolve();
    };
    queueMicrotask(f);
  });
  return performance.now() - t0;
}

async function runnerChain(n: number): Promise<number> {
  const runner = new RealTimeRunner({ sliceMs: 50 });
  const host = createPlatform().createHost({ name: 'rt', runner, costs: ZERO_COST_PROFILE, loopback: false });
  const cpu = host.cpu;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let left = n;
    const kc = new Continuation(
      'chain',
      IPL_SOFTNET,
      () => {
        if (--left > 0) cpu.sched.schedule(kc);
        else resolve();
      },
      null,
    );
    cpu.sched.schedule(kc);
  });
  const ms = performance.now() - t0;
  runner.stop();
  return ms;
}

async function asyncThroughput(): Promise<void> {
  const n = 1_000_000;
  const micro: number[] = [];
  const rt: number[] = [];
  await microtaskChain(n / 4);
  await runnerChain(n / 4);
  for (let r = 0; r < 5; r++) {
    micro.push(await microtaskChain(n));
    rt.push(await runnerChain(n));
  }
  const mRate = (n * 1000) / median(micro);
  const rRate = (n * 1000) / median(rt);
  console.log(
    '\ncontinuation dispatch on the real-time runner (asynchronous, 1,000,000 chained deferrals, median of 5)',
  );
  console.log(
    `  ref: queueMicrotask chain            ${Math.round(mRate).toLocaleString('en-US').padStart(12)} /s  ${(1e9 / mRate).toFixed(1)} ns each`,
  );
  console.log(
    `  Continuation chain on RealTimeRunner ${Math.round(rRate).toLocaleString('en-US').padStart(12)} /s  ${(1e9 / rRate).toFixed(1)} ns each  (${(rRate / mRate).toFixed(2)}x)`,
  );
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function interruptToPollLatency(): Promise<void> {
  const runner = new RealTimeRunner();
  const platform = createPlatform();
  const host = platform.createHost({ name: 'lat', runner, mitigationPolicy: alwaysUnmask });
  const dev = new ToyNicDevice(64);
  const nic = new ToyNicDriver(host, dev);
  nic.ifp.upIf();
  let t0 = 0;
  let done: (() => void) | undefined;
  const samples: number[] = [];
  const ethertypes = host.ethertypes;
  ethertypes.unregister(TOY_ETHERTYPE);
  ethertypes.register(TOY_ETHERTYPE, 'latency-probe', (m) => {
    samples.push((performance.now() - t0) * 1000);
    m.pool.freem(m);
    done?.();
  });
  const once = (tag: number) =>
    new Promise<void>((resolve) => {
      done = resolve;
      t0 = performance.now();
      dev.receive(tag);
    });
  const n = 5000;
  for (let i = 1; i <= 500; i++) await once(i);
  samples.length = 0;
  for (let i = 1; i <= n; i++) await once(i);
  runner.stop();

  const ref = async (kind: 'microtask' | 'immediate') => {
    const xs: number[] = [];
    for (let i = 0; i < n + 500; i++) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        const f = () => {
          xs.push((performance.now() - t) * 1000);
          resolve();
        };
        if (kind === 'microtask') queueMicrotask(f);
        else setImmediate(f);
      });
    }
    return xs.slice(500);
  };
  const micro = await ref('microtask');
  const imm = await ref('immediate');
  const row = (name: string, xs: number[]) =>
    `  ${name.padEnd(48)} median ${median(xs).toFixed(2).padStart(7)} µs   p99 ${percentile(xs, 99).toFixed(2).padStart(7)} µs`;
  console.log(`\ninterrupt-to-poll latency, real clock (${n} samples after 500 warm-up)`);
  console.log(row('ref: queueMicrotask → callback', micro));
  console.log(row('ref: setImmediate → callback', imm));
  console.log(row('line asserted → poll → if_input → pr_input', samples));
  sink(samples.length);
}

console.log(`ifnet kernel benchmarks — ${environment()}\n`);
dispatchThroughput();
await asyncThroughput();
await interruptToPollLatency();
