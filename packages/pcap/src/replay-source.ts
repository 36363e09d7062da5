/**
 * Replays a capture into a device: a traffic source (a `@ifnet/wire` station) whose frames are the records
 * of a pcap file, sent at their recorded pace (optionally sped up) or as fast as the clock allows. It acts
 * as hardware, on a timer of the clock, so it works on the virtual clock (deterministic replays of a real
 * capture) and on the real one.
 *
 * ```ts
 * const replay = new PcapReplaySource(sim.clock, { reader: new PcapReader(bytes), pace: 'recorded' });
 * replay.attach(nic);            // or new VirtualCable(clock).connect(nic, replay)
 * replay.start();
 * ```
 *
 * @module
 */
import type { Clock, HardwareTimer, Nanoseconds } from '@ifnet/core';
import { Station } from '@ifnet/wire';
import { LINKTYPE_ETHERNET } from './format.js';
import type { PcapReader, PcapRecordPosition } from './reader.js';

export interface PcapReplayOptions {
  /** The capture (an Ethernet one). */
  reader: PcapReader;
  /** `recorded`: gaps between frames as in the file (divided by `speed`). `asap`: back to back. */
  pace?: 'recorded' | 'asap';
  /** Speed-up of recorded gaps (2 = twice as fast). Default 1. */
  speed?: number;
  /** `asap` only: frames per timer firing. Default 1 (each frame its own hardware event). */
  burst?: number;
  /** Play the file this many times. Default 1. */
  loops?: number;
  name?: string;
  /** Called for each frame the device sends back. */
  onReceive?: (frame: Uint8Array, off: number, len: number) => void;
}

/**
 * Counters: `offered` (frames sent towards the device), `refused` (the medium did not take them),
 * `skipped` (records captured shorter than the frame was — a truncated frame is not the frame, so it is not
 * replayed), `received` (frames the device sent back).
 */
export class PcapReplaySource extends Station {
  offered = 0;
  bytesOffered = 0;
  refused = 0;
  skipped = 0;
  received = 0;
  readonly pace: 'recorded' | 'asap';
  private readonly reader: PcapReader;
  private readonly speed: number;
  private readonly burst: number;
  private readonly loops: number;
  private readonly timer: HardwareTimer;
  private readonly onReceive: PcapReplayOptions['onReceive'];
  private loop = 0;
  private running = false;
  /** The record to play next (reused: replaying allocates nothing per frame). */
  private readonly rec: PcapRecordPosition = { sec: 0, nsec: 0, caplen: 0, origlen: 0, offset: 0 };
  private hasPending = false;
  /** Clock time of the run's start and file time (ns since the first record) it corresponds to. */
  private startAt: Nanoseconds = 0;
  private firstSec = 0;
  private firstNsec = 0;
  private loopOffset: Nanoseconds = 0;
  private lastFileTime: Nanoseconds = 0;

  constructor(
    private readonly clock: Clock,
    options: PcapReplayOptions,
  ) {
    super(options.name ?? 'replay');
    if (options.reader.header.linktype !== LINKTYPE_ETHERNET) {
      throw new RangeError(`${this.name}: linktype ${options.reader.header.linktype} is not Ethernet (1)`);
    }
    this.reader = options.reader;
    this.pace = options.pace ?? 'recorded';
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`${this.name}: speed ${this.speed}`);
    this.burst = options.burst ?? 1;
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new RangeError(`${this.name}: burst ${this.burst}`);
    this.loops = options.loops ?? 1;
    this.onReceive = options.onReceive;
    this.timer = clock.createTimer(this.name, () => this.fire());
  }

  /** Whether frames are still to come. */
  get active(): boolean {
    return this.running;
  }

  /** Starts the replay from the first record; the first frame goes out at `at` (default now). */
  start(at: Nanoseconds = this.clock.now()): void {
    this.reader.rewind();
    this.loop = 0;
    this.loopOffset = 0;
    this.lastFileTime = 0;
    this.hasPending = this.nextRecord();
    if (!this.hasPending) return;
    this.firstSec = this.rec.sec;
    this.firstNsec = this.rec.nsec;
    this.startAt = at;
    this.running = true;
    this.timer.arm(at);
  }

  stop(): void {
    this.running = false;
    this.timer.cancel();
  }

  /** Reads the next record to play into {@link rec}, looping over the file; false when done. */
  private nextRecord(): boolean {
    for (;;) {
      if (this.reader.nextInto(this.rec)) return true;
      if (++this.loop >= this.loops || this.offered + this.skipped === 0) return false;
      this.loopOffset = this.lastFileTime;
      this.reader.rewind();
    }
  }

  /** When a record is due on the clock, at recorded pace. */
  private dueAt(r: PcapRecordPosition): Nanoseconds {
    const fileTime = (r.sec - this.firstSec) * 1e9 + (r.nsec - this.firstNsec) + this.loopOffset;
    this.lastFileTime = fileTime;
    return this.startAt + Math.max(0, fileTime) / this.speed;
  }

  private fire(): void {
    if (!this.running) return;
    let sent = 0;
    const r = this.rec;
    while (this.hasPending) {
      if (this.pace === 'recorded') {
        const due = this.dueAt(r);
        if (due > this.clock.now()) {
          this.timer.arm(due);
          return;
        }
      } else if (sent === this.burst) {
        this.timer.arm(this.clock.now());
        return;
      }
      if (r.caplen < r.origlen) {
        this.skipped++;
      } else {
        this.offered++;
        this.bytesOffered += r.caplen;
        if (!this.emit(this.reader.bytes, r.offset, r.caplen)) this.refused++;
        sent++;
      }
      this.hasPending = this.nextRecord();
    }
    this.running = false;
  }

  wireReceive(frame: Uint8Array, off: number, len: number): void {
    this.received++;
    this.onReceive?.(frame, off, len);
  }
}
