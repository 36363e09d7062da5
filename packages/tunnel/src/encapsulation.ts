/**
 * How a tunnel carries an Ethernet frame in a UDP datagram.
 *
 * - **VXLAN** (RFC 7348): an 8-byte header before the frame, `flags(8) | reserved(24) | VNI(24) |
 *   reserved(8)`, the I flag (0x08) set, the 24-bit VXLAN Network Identifier naming the segment. IANA port
 *   4789. What the Linux kernel's `vxlan` interfaces speak (`ip link add vx0 type vxlan id 42 ...`).
 *   Received reserved bits are ignored, as the RFC says; a frame without the I flag or for another VNI is
 *   not ours.
 * - **QEMU** (`-netdev dgram` / `-netdev socket,udp=`): the frame is the whole datagram, nothing before it.
 *
 * Platform-neutral byte code (the tunnel around it is Node's).
 *
 * @module
 */

/** VXLAN header length. */
export const VXLAN_HEADER_LEN = 8;
/** The I flag: the VNI is valid. */
export const VXLAN_FLAG_I = 0x08;
/** IANA's VXLAN port. */
export const VXLAN_PORT = 4789;
/** Largest VNI (24 bits). */
export const VXLAN_VNI_MAX = 0xffffff;

/** Why a received datagram's encapsulation header was refused. */
export type EncapReject = 'truncated' | 'bad-flags' | 'bad-vni';

export interface Encapsulation {
  readonly kind: 'vxlan' | 'qemu';
  /** Bytes before the frame in each datagram. */
  readonly headerLength: number;
  /** Writes the header at `buf[off, off + headerLength)`. */
  writeHeader(buf: Uint8Array, off: number): void;
  /** Checks the header of a datagram `buf[off, off+len)`: null when it is ours, else why not. */
  check(buf: Uint8Array, off: number, len: number): EncapReject | null;
  /** For humans: `vxlan vni 42`, `qemu dgram`. */
  readonly description: string;
}

/** VXLAN carrying one segment, `vni` (the `id` of a Linux vxlan interface). */
export function vxlan(vni: number): Encapsulation {
  if (!Number.isInteger(vni) || vni < 0 || vni > VXLAN_VNI_MAX) throw new RangeError(`VNI ${vni} is not 0..16777215`);
  return {
    kind: 'vxlan',
    headerLength: VXLAN_HEADER_LEN,
    description: `vxlan vni ${vni}`,
    writeHeader(buf, off) {
      buf[off] = VXLAN_FLAG_I;
      buf[off + 1] = 0;
      buf[off + 2] = 0;
      buf[off + 3] = 0;
      buf[off + 4] = vni >>> 16;
      buf[off + 5] = (vni >>> 8) & 0xff;
      buf[off + 6] = vni & 0xff;
      buf[off + 7] = 0;
    },
    check(buf, off, len) {
      if (len < VXLAN_HEADER_LEN) return 'truncated';
      if ((buf[off] & VXLAN_FLAG_I) === 0) return 'bad-flags';
      const got = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
      return got === vni ? null : 'bad-vni';
    },
  };
}

/** QEMU's datagram netdevs: the frame is the datagram. */
export function qemuDgram(): Encapsulation {
  return {
    kind: 'qemu',
    headerLength: 0,
    description: 'qemu dgram',
    writeHeader() {},
    check() {
      return null;
    },
  };
}
