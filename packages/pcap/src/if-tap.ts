/**
 * A tap on an interface (BPF's `bpf_mtap`): records what the interface receives, before protocol
 * dispatch, and what it hands to its driver, as the driver takes it off the send queue. It uses the
 * interface's own extension points — the `if_input` hook slot (chained with a hook already there) and
 * the send-queue discipline (wrapped) — so neither the driver nor the protocols know.
 *
 * @module
 */
import { INPUT_PASS, type Ifnet, type InputHook, type Mbuf, type SendQueue } from '@ifnet/core';
import type { PcapWriter } from './writer.js';

/** A send-queue discipline that records each packet as the driver dequeues it. */
class TappedSendQueue implements SendQueue {
  readonly name: string;

  constructor(
    readonly inner: SendQueue,
    private readonly pcap: PcapWriter,
  ) {
    this.name = `${inner.name}+pcap`;
  }

  enqueue(ifp: Ifnet, m: Mbuf): boolean {
    return this.inner.enqueue(ifp, m);
  }
  dequeue(ifp: Ifnet): Mbuf | null {
    const m = this.inner.dequeue(ifp);
    if (m !== null) this.pcap.recordMbuf(m);
    return m;
  }
  requeue(ifp: Ifnet, m: Mbuf): void {
    // Seen once already: a later dequeue records it again, as BPF would when the driver retries.
    this.inner.requeue(ifp, m);
  }
  get length(): number {
    return this.inner.length;
  }
  purge(): void {
    this.inner.purge();
  }
}

/**
 * Starts recording `ifp`'s traffic into `pcap`. Returns a function that removes the tap (restoring the
 * previous hook and send queue). The packets are only read; ownership never changes.
 */
export function tapInterface(ifp: Ifnet, pcap: PcapWriter): () => void {
  const prevHook = ifp.inputHook;
  const hook: InputHook = (i, m) => {
    pcap.recordMbuf(m);
    return prevHook === undefined ? INPUT_PASS : prevHook(i, m);
  };
  ifp.inputHook = hook;
  const tapped = new TappedSendQueue(ifp.sendQueue, pcap);
  ifp.sendQueue = tapped;
  return () => {
    if (ifp.inputHook === hook) ifp.inputHook = prevHook;
    if (ifp.sendQueue === tapped) ifp.sendQueue = tapped.inner;
  };
}
