/**
 * Interface counters: everything `netstat -i` shows, plus what this project is about — interrupts, polls,
 * poll-again returns, tick deferrals — and drops by named reason.
 *
 * Plain numeric fields, incremented in place (no allocation on the fast path); a new drop reason costs
 * one property the first time it is seen. {@link snapshotCounters} gives a plain, serialisable copy.
 */
export interface IfCounters {
  /** Packets received (handed to if_input). */
  ipackets: number;
  ibytes: number;
  /** Input errors reported by the driver (bad frames, device errors). */
  ierrors: number;
  /** Input packets dropped in software (see {@link drops} for why). */
  iqdrops: number;
  /** Multicast/broadcast packets received. */
  imcasts: number;
  /** Packets for an unknown protocol. */
  noproto: number;
  opackets: number;
  obytes: number;
  oerrors: number;
  /** Output packets dropped because the send queue was full (or the ALTQ discipline refused them). */
  oqdrops: number;
  omcasts: number;
  collisions: number;
  /** Device interrupts that reached this interface's poll contexts. */
  interrupts: number;
  /** Poll invocations. */
  polls: number;
  /** Polls that used their whole budget and were re-queued ("poll again"). */
  pollAgain: number;
  /** Times a poll context stayed masked and was deferred to the next clock tick. */
  tickDeferrals: number;
  /** Completions whose post-unmask re-check found work (the closed race). */
  raceRechecks: number;
  /** Input holds taken ({@link Ifnet.holdInput}: a full socket stopped input processing). */
  inputHolds: number;
  /** Exceptions thrown by the driver's poll or interrupt routine, contained by the framework (`net/fault.ts`). */
  faults: number;
  /** Resets (stop + init) done after a contained fault. */
  resets: number;
  /** Times the interface was marked down because a reset failed or it faulted again right after one. */
  faultDowns: number;
  /** Drops by reason, e.g. `{ 'ether.runt': 3, 'snd.full': 1 }`. */
  drops: Record<string, number>;
}

export function newCounters(): IfCounters {
  return {
    ipackets: 0,
    ibytes: 0,
    ierrors: 0,
    iqdrops: 0,
    imcasts: 0,
    noproto: 0,
    opackets: 0,
    obytes: 0,
    oerrors: 0,
    oqdrops: 0,
    omcasts: 0,
    collisions: 0,
    interrupts: 0,
    polls: 0,
    pollAgain: 0,
    tickDeferrals: 0,
    raceRechecks: 0,
    inputHolds: 0,
    faults: 0,
    resets: 0,
    faultDowns: 0,
    drops: {},
  };
}

/** Counts one drop under `reason`. */
export function countDrop(c: IfCounters, reason: string): void {
  c.drops[reason] = (c.drops[reason] ?? 0) + 1;
}

/** A plain, JSON-serialisable copy. */
export function snapshotCounters(c: IfCounters): IfCounters {
  return { ...c, drops: { ...c.drops } };
}
