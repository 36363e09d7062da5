/**
 * The pcap writer: records frames into a preallocated buffer in the classic libpcap format and hands
 * filled chunks to a sink (a file, a pipe, an array in a test). Timestamps come from a clock (the host's:
 * virtual or real), offset by the wall time at which that clock read zero, so Wireshark shows real dates
 * for real-clock runs and the simulated timeline (from 1970) for virtual ones.
 *
 * Recording copies the frame into the buffer and allocates nothing; a chunk reaches the sink when the
 * buffer cannot take the next record, or on {@link PcapWriter.flush} (the Node side flushes once per
 * event-loop turn, so `tshark -r -` sees traffic live).
 *
 * @module
 */
import { type Mbuf, copyBytes, m_copydata } from '@ifnet/core';
import {
  LINKTYPE_ETHERNET,
  PCAP_CAPLEN,
  PCAP_DEFAULT_SNAPLEN,
  PCAP_HEADER_LEN,
  PCAP_ORIGLEN,
  PCAP_RECORD_HEADER_LEN,
  PCAP_TS_FRAC,
  PCAP_TS_SEC,
  type PcapResolution,
  writePcapHeader,
} from './format.js';

/**
 * Where filled chunks go. `chunk` is valid only during the call (the writer reuses its buffer): write it
 * synchronously or copy it. Return false when the chunk was not taken (a full pipe): the writer counts the
 * records in it as dropped.
 */
export interface PcapSink {
  write(chunk: Uint8Array): boolean;
}

/** A time source in ns (a `Clock` of `@ifnet/core`, or anything with `now()`). */
export interface PcapClock {
  now(): number;
}

export interface PcapWriterOptions {
  sink: PcapSink;
  /** Timestamps come from this clock (ns). Default: none, every record at the epoch (or pass `at`). */
  clock?: PcapClock;
  /**
   * Wall time at which the clock read 0, as whole seconds since 1970 plus ns. Default 0 (a virtual clock's
   * timeline shown from 1970-01-01). `@ifnet/pcap/node` fills it in for real clocks.
   */
  epoch?: { sec: number; nsec: number };
  /** Timestamp resolution written. Default `ns`. */
  resolution?: PcapResolution;
  /** Longest capture per record; longer frames are truncated (`caplen` < `origlen`). Default 262144. */
  snaplen?: number;
  /** Bytes buffered before a chunk goes to the sink. Default 256 KiB (at least one full record). */
  bufferBytes?: number;
  /** `LINKTYPE_*` of the file. Default Ethernet (1). */
  linktype?: number;
  /** Called when the buffer goes from empty to holding a record: the place to schedule a flush. */
  onPending?: () => void;
}

/** Counters of a writer. Plain numbers. */
export interface PcapWriterStats {
  /** Records written (buffered or handed to the sink). */
  packets: number;
  /** Bytes handed to the sink, global header included. */
  bytes: number;
  /** Records captured shorter than the frame (snaplen). */
  truncated: number;
  /** Records lost because the sink refused their chunk. */
  dropped: number;
  /** Chunks handed to the sink. */
  flushes: number;
}

/**
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const w = new PcapWriter({ sink: { write: (c) => (chunks.push(c.slice()), true) }, clock: sim.clock });
 * w.record(frame, 0, frame.length);   // or w.recordMbuf(m)
 * w.flush();
 * ```
 */
export class PcapWriter {
  readonly stats: PcapWriterStats = { packets: 0, bytes: 0, truncated: 0, dropped: 0, flushes: 0 };
  readonly resolution: PcapResolution;
  readonly snaplen: number;
  private readonly sink: PcapSink;
  private readonly clock: PcapClock | undefined;
  private readonly epochSec: number;
  private readonly epochNsec: number;
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private readonly onPending: (() => void) | undefined;
  private pos = 0;
  /** Records in the buffer now (for the dropped count when the sink refuses a chunk). */
  private pendingRecords = 0;
  private closed = false;

  constructor(options: PcapWriterOptions) {
    this.sink = options.sink;
    this.clock = options.clock;
    this.resolution = options.resolution ?? 'ns';
    this.snaplen = options.snaplen ?? PCAP_DEFAULT_SNAPLEN;
    if (!Number.isInteger(this.snaplen) || this.snaplen < 1 || this.snaplen > 0x7fffffff) {
      throw new RangeError(`pcap: snaplen ${this.snaplen}`);
    }
    const e = options.epoch ?? { sec: 0, nsec: 0 };
    this.epochSec = Math.floor(e.sec) + Math.floor(e.nsec / 1e9);
    this.epochNsec = e.nsec - Math.floor(e.nsec / 1e9) * 1e9;
    const size = Math.max(options.bufferBytes ?? 256 * 1024, PCAP_HEADER_LEN + PCAP_RECORD_HEADER_LEN + this.snaplen);
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.onPending = options.onPending;
    writePcapHeader(this.view, 0, this.resolution, this.snaplen, options.linktype ?? LINKTYPE_ETHERNET);
    this.pos = PCAP_HEADER_LEN;
  }

  /** Bytes waiting in the buffer. */
  get buffered(): number {
    return this.pos;
  }

  /**
   * Records `frame[off, off+len)`, stamped `at` ns on the writer's clock (default: the clock's now).
   * The frame is copied; the caller keeps it.
   */
  record(frame: Uint8Array, off: number, len: number, at?: number): void {
    const cap = this.begin(len, at);
    if (cap < 0) return;
    copyBytes(this.buf, this.pos, frame, off, cap);
    this.pos += cap;
  }

  /** Records a packet (an mbuf chain, from its first byte). The chain is only read. */
  recordMbuf(m: Mbuf, at?: number): void {
    const len = m.pkthdr.len;
    const cap = this.begin(len, at);
    if (cap < 0) return;
    m_copydata(m, 0, cap, this.buf, this.pos);
    this.pos += cap;
  }

  /** Writes the record header and returns the caplen, with room for it made in the buffer; -1 if closed. */
  private begin(len: number, at: number | undefined): number {
    if (this.closed || len < 0) return -1;
    const cap = Math.min(len, this.snaplen);
    if (this.pos + PCAP_RECORD_HEADER_LEN + cap > this.buf.length) this.flush();
    const t = (at ?? this.clock?.now() ?? 0) + this.epochNsec;
    const whole = Math.floor(t / 1e9);
    const frac = t - whole * 1e9;
    const v = this.view;
    const p = this.pos;
    v.setUint32(p + PCAP_TS_SEC, (this.epochSec + whole) >>> 0, true);
    v.setUint32(p + PCAP_TS_FRAC, this.resolution === 'ns' ? Math.floor(frac) : Math.floor(frac / 1000), true);
    v.setUint32(p + PCAP_CAPLEN, cap, true);
    v.setUint32(p + PCAP_ORIGLEN, len, true);
    this.pos = p + PCAP_RECORD_HEADER_LEN;
    if (cap < len) this.stats.truncated++;
    this.stats.packets++;
    if (this.pendingRecords++ === 0) this.onPending?.();
    return cap;
  }

  /** Hands everything buffered to the sink (the first chunk carries the global header). */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    if (this.sink.write(chunk)) {
      this.stats.bytes += this.pos;
    } else {
      this.stats.dropped += this.pendingRecords;
      this.stats.packets -= this.pendingRecords;
    }
    this.stats.flushes++;
    this.pos = 0;
    this.pendingRecords = 0;
  }

  /** Flushes and stops recording (later records are ignored). */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
