const EMPTY = new Uint8Array(0);

/**
 * The common part of the protocol header views (`Ipv4Header`, `IcmpHeader`, `UdpHeader`): a position in
 * a byte array, re-pointable with {@link at} (no copy, no allocation), and big-endian field accessors by
 * byte offset within the header. No bounds checks: callers check lengths before building a view.
 */
export class HeaderView {
  buf: Uint8Array;
  off: number;

  constructor(buf: Uint8Array = EMPTY, off = 0) {
    this.buf = buf;
    this.off = off;
  }

  /** Points the view at another header (no copy, no allocation). Returns the view. */
  at(buf: Uint8Array, off: number): this {
    this.buf = buf;
    this.off = off;
    return this;
  }

  protected u16(field: number): number {
    const b = this.buf;
    const i = this.off + field;
    return (b[i] << 8) | b[i + 1];
  }

  protected setU16(field: number, v: number): void {
    const i = this.off + field;
    this.buf[i] = (v >>> 8) & 0xff;
    this.buf[i + 1] = v & 0xff;
  }

  protected u32(field: number): number {
    const b = this.buf;
    const i = this.off + field;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }

  protected setU32(field: number, v: number): void {
    const b = this.buf;
    const i = this.off + field;
    b[i] = v >>> 24;
    b[i + 1] = (v >>> 16) & 0xff;
    b[i + 2] = (v >>> 8) & 0xff;
    b[i + 3] = v & 0xff;
  }
}
