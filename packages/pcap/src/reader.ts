/**
 * The pcap reader: walks the records of a classic libpcap file held in memory, in either byte order and
 * either timestamp resolution. Records are views into the given bytes (nothing is copied).
 *
 * @module
 */
import {
  PCAP_CAPLEN,
  PCAP_HEADER_LEN,
  PCAP_ORIGLEN,
  PCAP_RECORD_HEADER_LEN,
  PCAP_TS_FRAC,
  PCAP_TS_SEC,
  PcapFormatError,
  type PcapHeader,
  parsePcapHeader,
} from './format.js';

/** Where a record is, without a view of its bytes (filled by {@link PcapReader.nextInto}: no allocation). */
export interface PcapRecordPosition {
  /** Seconds since 1970 (the file's clock). */
  sec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  nsec: number;
  /** Bytes captured. */
  caplen: number;
  /** Length of the frame on the wire; more than `caplen` when the capture was truncated. */
  origlen: number;
  /** Offset of the captured bytes in {@link PcapReader.bytes}. */
  offset: number;
}

/** One record. `data` is a view into the reader's bytes. */
export interface PcapRecord {
  /** Seconds since 1970 (the file's clock). */
  sec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  nsec: number;
  /** Bytes captured (`data.length`). */
  caplen: number;
  /** Length of the frame on the wire; more than `caplen` when the capture was truncated. */
  origlen: number;
  data: Uint8Array;
}

/**
 * ```ts
 * const reader = new PcapReader(bytes);
 * for (const r of reader) console.log(r.sec, r.nsec, r.origlen);
 * ```
 *
 * A file that ends inside a record (a capture still being written, or cut short) stops the iteration
 * there: {@link PcapReader.truncatedTail} says how many bytes were left over. A record whose caplen is
 * absurd (beyond the snaplen and 256 KiB) throws {@link PcapFormatError} `bad-record`: the file is not
 * what it claims to be.
 */
export class PcapReader implements Iterable<PcapRecord> {
  readonly header: PcapHeader;
  /** The file. */
  readonly bytes: Uint8Array;
  /** Bytes after the last complete record (0 for a well-formed file). */
  truncatedTail = 0;
  private readonly view: DataView;
  private pos = PCAP_HEADER_LEN;
  private readonly maxCaplen: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.header = parsePcapHeader(this.view, 0);
    this.maxCaplen = Math.max(this.header.snaplen, 262144);
  }

  /** Starts again at the first record. */
  rewind(): void {
    this.pos = PCAP_HEADER_LEN;
    this.truncatedTail = 0;
  }

  /** The next record, or null at the end. Allocates the record and a view of its bytes. */
  next(): PcapRecord | null {
    const at = this.scratch;
    if (!this.nextInto(at)) return null;
    return {
      sec: at.sec,
      nsec: at.nsec,
      caplen: at.caplen,
      origlen: at.origlen,
      data: this.bytes.subarray(at.offset, at.offset + at.caplen),
    };
  }

  private readonly scratch: PcapRecordPosition = { sec: 0, nsec: 0, caplen: 0, origlen: 0, offset: 0 };

  /** Moves to the next record and describes it in `rec` (allocates nothing). False at the end. */
  nextInto(rec: PcapRecordPosition): boolean {
    const v = this.view;
    const p = this.pos;
    const left = this.bytes.length - p;
    if (left === 0) return false;
    if (left < PCAP_RECORD_HEADER_LEN) {
      this.truncatedTail = left;
      return false;
    }
    const le = this.header.littleEndian;
    const caplen = v.getUint32(p + PCAP_CAPLEN, le);
    const origlen = v.getUint32(p + PCAP_ORIGLEN, le);
    if (caplen > this.maxCaplen) {
      throw new PcapFormatError('bad-record', `pcap: record at byte ${p} claims ${caplen} captured bytes`);
    }
    if (left < PCAP_RECORD_HEADER_LEN + caplen) {
      this.truncatedTail = left;
      return false;
    }
    const frac = v.getUint32(p + PCAP_TS_FRAC, le);
    const start = p + PCAP_RECORD_HEADER_LEN;
    this.pos = start + caplen;
    rec.sec = v.getUint32(p + PCAP_TS_SEC, le);
    rec.nsec = this.header.resolution === 'ns' ? frac : frac * 1000;
    rec.caplen = caplen;
    rec.origlen = Math.max(origlen, caplen);
    rec.offset = start;
    return true;
  }

  *[Symbol.iterator](): Iterator<PcapRecord> {
    for (let r = this.next(); r !== null; r = this.next()) yield r;
  }
}

/** Every record of a pcap file in memory (convenience for tests and tools). */
export function readPcap(bytes: Uint8Array): { header: PcapHeader; records: PcapRecord[] } {
  const reader = new PcapReader(bytes);
  return { header: reader.header, records: [...reader] };
}
