/**
 * The classic libpcap file format (what `tcpdump -w` writes and every capture tool reads; the IETF draft
 * `draft-ietf-opsawg-pcap`). A file is a 24-byte global header followed by records, each a 16-byte record
 * header and the captured bytes:
 *
 * ```text
 * global header  magic u32 | version major u16 (2) | minor u16 (4) | thiszone i32 (0) | sigfigs u32 (0)
 *                | snaplen u32 | linktype u32
 * record header  ts_sec u32 | ts_frac u32 | caplen u32 | origlen u32
 * ```
 *
 * The magic says the byte order the file was written in and the timestamp resolution:
 * `0xA1B2C3D4` microseconds, `0xA1B23C4D` nanoseconds (the modified format of libpcap 1.5+), each read
 * back byte-swapped when the writer's order differs from the reader's. Writers here use little-endian.
 *
 * Platform-neutral: bytes in, bytes out; files and pipes are `@ifnet/pcap/node`'s business.
 *
 * @module
 */

/** Magic of a microsecond-resolution file, in the writer's byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic of a nanosecond-resolution file. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
/** `LINKTYPE_ETHERNET` (DLT_EN10MB): frames start with the Ethernet header, no FCS. */
export const LINKTYPE_ETHERNET = 1;
/** Global header length. */
export const PCAP_HEADER_LEN = 24;
/** Record header length. */
export const PCAP_RECORD_HEADER_LEN = 16;
/** Default snapshot length: libpcap's (and tcpdump's) current default, 262144 bytes. */
export const PCAP_DEFAULT_SNAPLEN = 262144;

/** Offsets in the global header. */
export const PCAP_MAGIC = 0;
export const PCAP_VMAJOR = 4;
export const PCAP_VMINOR = 6;
export const PCAP_THISZONE = 8;
export const PCAP_SIGFIGS = 12;
export const PCAP_SNAPLEN = 16;
export const PCAP_LINKTYPE = 20;
/** Offsets in a record header. */
export const PCAP_TS_SEC = 0;
export const PCAP_TS_FRAC = 4;
export const PCAP_CAPLEN = 8;
export const PCAP_ORIGLEN = 12;

/** Timestamp resolution of a file. */
export type PcapResolution = 'ns' | 'us';

/** What the global header says. */
export interface PcapHeader {
  resolution: PcapResolution;
  /** True when the file was written little-endian. */
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linktype: number;
}

/** Writes a global header at `view[off..off+24)` (little-endian). */
export function writePcapHeader(
  view: DataView,
  off: number,
  resolution: PcapResolution,
  snaplen: number,
  linktype = LINKTYPE_ETHERNET,
): void {
  view.setUint32(off + PCAP_MAGIC, resolution === 'ns' ? PCAP_MAGIC_NS : PCAP_MAGIC_US, true);
  view.setUint16(off + PCAP_VMAJOR, PCAP_VERSION_MAJOR, true);
  view.setUint16(off + PCAP_VMINOR, PCAP_VERSION_MINOR, true);
  view.setInt32(off + PCAP_THISZONE, 0, true);
  view.setUint32(off + PCAP_SIGFIGS, 0, true);
  view.setUint32(off + PCAP_SNAPLEN, snaplen, true);
  view.setUint32(off + PCAP_LINKTYPE, linktype, true);
}

/** Why bytes are not a pcap file (or not a complete one). */
export type PcapErrorCode = 'bad-magic' | 'truncated' | 'bad-record';

/** The one error type of this package: bytes that are not what a pcap file must be. */
export class PcapFormatError extends Error {
  override readonly name = 'PcapFormatError';
  constructor(
    readonly code: PcapErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a global header at `view[off..]`. Throws {@link PcapFormatError} for anything else. */
export function parsePcapHeader(view: DataView, off = 0): PcapHeader {
  if (view.byteLength - off < PCAP_HEADER_LEN) {
    throw new PcapFormatError('truncated', `pcap: ${view.byteLength - off} bytes, the global header needs 24`);
  }
  const le = view.getUint32(off + PCAP_MAGIC, true);
  const be = view.getUint32(off + PCAP_MAGIC, false);
  let littleEndian: boolean;
  let resolution: PcapResolution;
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    littleEndian = true;
    resolution = le === PCAP_MAGIC_NS ? 'ns' : 'us';
  } else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    littleEndian = false;
    resolution = be === PCAP_MAGIC_NS ? 'ns' : 'us';
  } else {
    throw new PcapFormatError('bad-magic', `pcap: bad magic 0x${be.toString(16).padStart(8, '0')} (pcapng?)`);
  }
  return {
    resolution,
    littleEndian,
    versionMajor: view.getUint16(off + PCAP_VMAJOR, littleEndian),
    versionMinor: view.getUint16(off + PCAP_VMINOR, littleEndian),
    snaplen: view.getUint32(off + PCAP_SNAPLEN, littleEndian),
    linktype: view.getUint32(off + PCAP_LINKTYPE, littleEndian) & 0x0fffffff, // upper bits: FCS info
  };
}
