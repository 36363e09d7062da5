import { Continuation } from '../kern/continuation.js';
import { IPL_SOFTNET, type SoftIpl } from '../kern/ipl.js';
import { m_adj } from '../mbuf/m-adj.js';
import { MbufQueue } from '../mbuf/mbuf-queue.js';
import type { Mbuf } from '../mbuf/mbuf.js';
import type { Host } from '../host/host.js';
import type { ProtocolInput } from './dispatch-table.js';
import type { Ifnet } from './ifnet.js';
import { IFQ_MAXLEN } from './send-queue.js';

export interface NetisrOptions {
  /** The queue's BSD name, e.g. `ipintrq`; its overflow is the drop reason `<name>.full`. */
  name: string;
  /** Most packets queued (`ifq_maxlen`). Default {@link IFQ_MAXLEN} (50), as BSD's `ipintrq`. */
  maxlen?: number;
  /** What the soft interrupt hands each packet to (`ip_input`), with `off` 0. Owns the packet. */
  input: ProtocolInput;
  /** Level of the soft interrupt. Default `IPL_SOFTNET` (`NETISR_IP` under `splsoftnet`). */
  ipl?: SoftIpl;
}

/** Counters of one {@link Netisr}. */
export interface NetisrStats {
  /** Packets queued. */
  enqueued: number;
  /** Packets refused because the queue was full (`IF_DROP`): also `<name>.full` on the interface. */
  full: number;
  /** Runs of the soft interrupt. */
  runs: number;
  /** Packets handed to the input. */
  processed: number;
  /** Runs that left packets behind for the next run (they arrived during this one). */
  requeued: number;
  /** Most packets ever queued at once. */
  highWater: number;
}

/**
 * A protocol input queue and its software interrupt: BSD's `ipintrq` + `schednetisr(NETISR_IP)` +
 * `ipintr()` (Linux's old `netif_rx` backlog + `NET_RX_SOFTIRQ`).
 *
 * Seed 000 removed these queues — `if_input` dispatches straight to `pr_input` — because under overload
 * a packet dropped here has already cost the CPU its interrupt, its driver work and its link-layer
 * decoding: that is receive livelock (Mogul & Ramakrishnan 1996). The mechanism is kept so that the
 * classic structure can be built and measured next to the new one (`@ifnet/lab`'s `legacy` and `batch`
 * models): an interrupt routine (the top half) hands packets to {@link enqueue}; the soft interrupt (the
 * bottom half) runs the protocol input for each, with a preemption point after each packet, so hardware
 * interrupts preempt it at every packet.
 *
 * Bounds: at most `maxlen` packets queued; beyond, the packet is dropped and counted. A run processes at
 * most the packets queued when it started (FreeBSD's netisr takes a snapshot of the queue), then
 * re-queues itself behind other continuations if more arrived, so one run is bounded and the CPU's fair
 * share still applies between runs.
 *
 * Ownership: {@link enqueue} takes the packet in every case (queued, or freed and counted). Packets still
 * queued belong to the netisr; {@link purge} frees them (call it, or {@link purgeIf}, when the interface
 * they came from is detached).
 */
export class Netisr {
  readonly name: string;
  readonly queue: MbufQueue;
  readonly input: ProtocolInput;
  /** The soft interrupt (`ipintr`). */
  readonly kc: Continuation<Netisr>;
  readonly stats: NetisrStats = { enqueued: 0, full: 0, runs: 0, processed: 0, requeued: 0, highWater: 0 };
  /** The drop reason counted on the interface when the queue is full. */
  readonly dropReason: string;

  constructor(
    readonly host: Host,
    options: NetisrOptions,
  ) {
    this.name = options.name;
    this.queue = new MbufQueue(options.maxlen ?? IFQ_MAXLEN);
    this.input = options.input;
    this.dropReason = `${options.name}.full`;
    this.kc = new Continuation<Netisr>(options.name, options.ipl ?? IPL_SOFTNET, runNetisr, this as Netisr);
  }

  /**
   * `IF_QFULL` → `IF_DROP` + `m_freem`, else `IF_ENQUEUE` + `schednetisr`: what BSD's `ether_input` did at
   * interrupt level. `m` (a packet header mbuf) is trimmed to `off`, remembers `ifp` as its `rcvif`, and
   * is owned by the netisr from now on. Returns false when the queue was full: the packet was freed and
   * counted (`<name>.full` and `iqdrops` on `ifp`). Allocates nothing.
   */
  enqueue(m: Mbuf, off: number, ifp: Ifnet): boolean {
    const q = this.queue;
    if (q.length >= q.maxlen) {
      q.drop();
      this.stats.full++;
      ifp.dropInput(m, this.dropReason);
      return false;
    }
    if (off > 0) m_adj(m, off);
    m.pkthdr.rcvif = ifp;
    q.enqueue(m);
    this.stats.enqueued++;
    if (q.length > this.stats.highWater) this.stats.highWater = q.length;
    this.host.cpu.sched.schedule(this.kc);
    return true;
  }

  /** A {@link ProtocolInput} that enqueues: register it in a dispatch table in place of the protocol. */
  readonly asInput: ProtocolInput = (m, off, ifp) => {
    this.enqueue(m, off, ifp);
  };

  /** The soft interrupt: the packets queued when it started, one at a time, each followed by a preemption point. */
  run(): void {
    this.stats.runs++;
    const cpu = this.host.cpu;
    const q = this.queue;
    let n = q.length;
    while (n-- > 0) {
      const m = q.dequeue();
      if (m === null) break;
      this.stats.processed++;
      this.input(m, 0, m.pkthdr.rcvif!);
      cpu.preempt();
    }
    if (q.length > 0) {
      this.stats.requeued++;
      cpu.sched.schedule(this.kc);
    }
  }

  /** Frees every queued packet; returns how many. */
  purge(): number {
    return this.queue.purge();
  }

  /** Frees the queued packets that came from `ifp` (detach); returns how many. */
  purgeIf(ifp: Ifnet): number {
    const q = this.queue;
    let n = q.length;
    let freed = 0;
    while (n-- > 0) {
      const m = q.dequeue()!;
      if (m.pkthdr.rcvif === ifp) {
        m.pool.freem(m);
        freed++;
      } else {
        q.enqueue(m);
      }
    }
    return freed;
  }
}

function runNetisr(ni: Netisr): void {
  ni.run();
}
