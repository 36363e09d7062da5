/**
 * A UDP tunnel: the medium of a device's port is a real network. Frames the device transmits leave as UDP
 * datagrams (VXLAN or QEMU encapsulation) from one local address to one remote peer; datagrams from that
 * peer are decapsulated and delivered to the device as if they came off the cable.
 *
 * It is hardware-side code: it implements `@ifnet/core`'s `Wire`, so any device model plugs into it
 * (`tunnel.attach(nic)`), and the kernel above never knows the cable is a socket.
 *
 * What it refuses, each counted under a named reason in `stats.drops` (and never thrown):
 * `wrong-peer` (not from the configured remote address and port), `truncated` / `bad-flags` / `bad-vni`
 * (encapsulation), `runt` (shorter than an Ethernet header; frames of 14 to 59 bytes are padded to 60, as the
 * Ethernet the device believes it is on would carry them), `oversize` (longer than `maxFrame`),
 * `no-device` (nothing attached), `device-error` (the device model threw: a bug, kept from taking the
 * process down). Sending: `tx-busy` (every send slot waits for the kernel), `tx-oversize`, `tx-closed`,
 * `tx-error` (the kernel refused the send). So always
 * `rxDatagrams = rxFrames + Σ receive drops` and `txOffered = txFrames + Σ transmit drops + txPending`.
 *
 * Bounds: nothing is queued on receive (a datagram is delivered to the device, whose own FIFO is bounded,
 * or dropped); on transmit at most `txSlots` datagrams wait for the kernel, each in a preallocated slot.
 * The socket binds exactly the local address given, never the wildcard.
 *
 * @module
 */
import { type Socket, createSocket } from 'node:dgram';
import type { Wire, WireEndpoint, WiredDevice } from '@ifnet/core';
import type { Encapsulation } from './encapsulation.js';
import { type UdpEndpoint, formatUdpEndpoint } from './endpoint.js';

/** Why a datagram or a frame was not carried. */
export type TunnelDropReason =
  | 'wrong-peer'
  | 'truncated'
  | 'bad-flags'
  | 'bad-vni'
  | 'runt'
  | 'oversize'
  | 'no-device'
  | 'device-error'
  | 'tx-busy'
  | 'tx-oversize'
  | 'tx-closed'
  | 'tx-error';

const RX_REASONS: readonly TunnelDropReason[] = [
  'wrong-peer',
  'truncated',
  'bad-flags',
  'bad-vni',
  'runt',
  'oversize',
  'no-device',
  'device-error',
];

export interface TunnelStats {
  /** Datagrams received on the socket (whatever their source). */
  rxDatagrams: number;
  rxBytes: number;
  /** Frames delivered to the device. */
  rxFrames: number;
  /** Frames shorter than 60 bytes padded with zeros before delivery (see {@link ETHER_MIN_FRAME}). */
  rxPadded: number;
  /** Frames the device handed to the tunnel. */
  txOffered: number;
  /** Datagrams the kernel accepted. */
  txFrames: number;
  txBytes: number;
  /** Datagrams handed to the kernel and not yet confirmed. */
  txPending: number;
  drops: Record<TunnelDropReason, number>;
  /** The last error the socket or the device reported (for the operator). */
  lastError: string;
}

export interface UdpTunnelOptions {
  /** Address and port to bind (exactly this address). */
  local: UdpEndpoint;
  /** The one peer datagrams are sent to and accepted from. */
  remote: UdpEndpoint;
  encapsulation: Encapsulation;
  /** Largest frame (Ethernet header included, no FCS) carried either way. Default 9216 (jumbo). */
  maxFrame?: number;
  /** Datagrams that may wait for the kernel at once. Default 256. */
  txSlots?: number;
  /** SO_RCVBUF, bytes. Default: the kernel's. */
  receiveBufferSize?: number;
  /** Name for messages. Default `tunnel`. */
  name?: string;
}

/** Outer IPv4 (20) + UDP (8) headers: what the underlay adds to every datagram. */
export const UDP_IPV4_OVERHEAD = 28;
/** Ethernet header of the carried frame. */
const ETHER_HDR_LEN = 14;
/**
 * Shortest Ethernet frame without FCS. A real segment never carries less (transmitters pad), but tunnel
 * peers send frames unpadded (Linux vxlan sends a 42-byte ARP reply as 42 bytes), and a NIC model counts a
 * short frame as a runt, as real hardware does: so the tunnel pads, as the Ethernet the device thinks it
 * is plugged into would have.
 */
export const ETHER_MIN_FRAME = 60;

/**
 * ```ts
 * const tunnel = new UdpTunnel({
 *   local: parseUdpEndpoint('198.51.100.2:4789'),
 *   remote: parseUdpEndpoint('198.51.100.1:4789'),
 *   encapsulation: vxlan(42),
 * });
 * tunnel.attach(nic);     // the NIC's port is now the tunnel
 * await tunnel.open();    // bind; carrier up
 * // ...
 * await tunnel.close();   // carrier down
 * ```
 */
export class UdpTunnel implements Wire {
  readonly name: string;
  readonly local: UdpEndpoint;
  readonly remote: UdpEndpoint;
  readonly encapsulation: Encapsulation;
  readonly maxFrame: number;
  readonly stats: TunnelStats;
  private port: WireEndpoint | null = null;
  private socket: Socket | null = null;
  private opened = false;
  /** Send slots: one preallocated buffer each; `free` is a stack of slot numbers. */
  private readonly slots: Buffer[];
  private readonly free: Int32Array;
  private freeCount: number;
  private readonly sent: ((err: Error | null) => void)[];
  /** Where short frames are padded to {@link ETHER_MIN_FRAME} bytes. */
  private readonly pad = new Uint8Array(ETHER_MIN_FRAME);

  constructor(options: UdpTunnelOptions) {
    this.name = options.name ?? 'tunnel';
    this.local = options.local;
    this.remote = options.remote;
    if (this.local.family !== this.remote.family) {
      throw new RangeError(`${this.name}: local and remote addresses are of different families`);
    }
    this.encapsulation = options.encapsulation;
    this.maxFrame = options.maxFrame ?? 9216;
    if (!Number.isInteger(this.maxFrame) || this.maxFrame < ETHER_HDR_LEN || this.maxFrame > 65000) {
      throw new RangeError(`${this.name}: maxFrame ${this.maxFrame}`);
    }
    const n = options.txSlots ?? 256;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.name}: txSlots ${n}`);
    const slotSize = this.encapsulation.headerLength + this.maxFrame;
    const arena = Buffer.allocUnsafeSlow(n * slotSize);
    this.slots = [];
    this.sent = [];
    this.free = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.slots.push(arena.subarray(i * slotSize, (i + 1) * slotSize));
      this.free[i] = i;
      this.sent.push((err) => this.release(i, err));
    }
    this.freeCount = n;
    this.receiveBufferSize = options.receiveBufferSize;
    const drops = {} as Record<TunnelDropReason, number>;
    for (const r of [...RX_REASONS, 'tx-busy', 'tx-oversize', 'tx-closed', 'tx-error'] as TunnelDropReason[]) {
      drops[r] = 0;
    }
    this.stats = {
      rxDatagrams: 0,
      rxBytes: 0,
      rxFrames: 0,
      rxPadded: 0,
      txOffered: 0,
      txFrames: 0,
      txBytes: 0,
      txPending: 0,
      drops,
      lastError: '',
    };
  }

  private readonly receiveBufferSize: number | undefined;

  /**
   * The MTU an interface on this tunnel should use so that its frames fit one underlay packet:
   * `underlayMtu - 28 (IPv4 + UDP) - encapsulation header - 14 (Ethernet)`; 1450 for VXLAN on a 1500-byte
   * network (as Linux sets on a vxlan interface), 1458 for QEMU's.
   */
  mtu(underlayMtu = 1500): number {
    const overhead = (this.local.family === 6 ? 48 : UDP_IPV4_OVERHEAD) + this.encapsulation.headerLength;
    return underlayMtu - overhead - ETHER_HDR_LEN;
  }

  /** One line for humans: `vxlan vni 42 198.51.100.2:4789 -> 198.51.100.1:4789`. */
  describe(): string {
    return `${this.encapsulation.description} ${formatUdpEndpoint(this.local)} -> ${formatUdpEndpoint(this.remote)}`;
  }

  /** Plugs `device` into the tunnel (replacing any earlier one). Returns the device's port. */
  attach(device: WiredDevice): WireEndpoint {
    const ep = device.attachWire(this);
    this.port = ep;
    ep.wireCarrier(this.opened);
    return ep;
  }

  /** Binds the local address; the attached device then sees carrier. Rejects on a bind error. */
  open(): Promise<void> {
    if (this.socket !== null) return Promise.resolve();
    const s = createSocket({
      type: this.local.family === 6 ? 'udp6' : 'udp4',
      recvBufferSize: this.receiveBufferSize,
    });
    this.socket = s;
    s.on('message', (msg, rinfo) => this.input(msg, 0, msg.length, rinfo.address, rinfo.port));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this.socket = null;
        s.close();
        reject(err);
      };
      s.once('error', onError);
      s.bind({ address: this.local.address, port: this.local.port, exclusive: true }, () => {
        s.off('error', onError);
        s.on('error', (err) => {
          this.stats.lastError = err.message;
        });
        this.opened = true;
        this.port?.wireCarrier(true);
        resolve();
      });
    });
  }

  /** Closes the socket; the device sees the carrier go down. Datagrams still pending are lost. */
  close(): Promise<void> {
    const s = this.socket;
    if (s === null) return Promise.resolve();
    this.socket = null;
    this.opened = false;
    this.port?.wireCarrier(false);
    return new Promise((resolve) => s.close(() => resolve()));
  }

  /**
   * The receive path: one datagram `buf[off, off+len)` from `fromAddress:fromPort`. Public so tests can
   * fuzz it without a network; the socket calls it for every datagram. Never throws.
   */
  input(buf: Uint8Array, off: number, len: number, fromAddress: string, fromPort: number): void {
    const s = this.stats;
    s.rxDatagrams++;
    s.rxBytes += len;
    if (fromPort !== this.remote.port || fromAddress !== this.remote.address) {
      s.drops['wrong-peer']++;
      return;
    }
    const enc = this.encapsulation;
    const bad = enc.check(buf, off, len);
    if (bad !== null) {
      s.drops[bad]++;
      return;
    }
    const frameLen = len - enc.headerLength;
    if (frameLen < ETHER_HDR_LEN) {
      s.drops.runt++;
      return;
    }
    if (frameLen > this.maxFrame) {
      s.drops.oversize++;
      return;
    }
    const port = this.port;
    if (port === null) {
      s.drops['no-device']++;
      return;
    }
    try {
      if (frameLen < ETHER_MIN_FRAME) {
        const pad = this.pad;
        for (let i = 0; i < frameLen; i++) pad[i] = buf[off + enc.headerLength + i];
        pad.fill(0, frameLen);
        s.rxPadded++;
        port.wireReceive(pad, 0, ETHER_MIN_FRAME);
      } else {
        port.wireReceive(buf, off + enc.headerLength, frameLen);
      }
      s.rxFrames++;
    } catch (err) {
      s.drops['device-error']++;
      s.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  // ---- Wire: the device transmits ------------------------------------------------------------------

  transmit(_from: WireEndpoint, frame: Uint8Array, off: number, len: number): boolean {
    const s = this.stats;
    s.txOffered++;
    const sock = this.socket;
    if (sock === null || !this.opened) {
      s.drops['tx-closed']++;
      return false;
    }
    if (len > this.maxFrame || len < 0 || off < 0 || off + len > frame.length) {
      s.drops['tx-oversize']++;
      return false;
    }
    if (this.freeCount === 0) {
      s.drops['tx-busy']++;
      return false;
    }
    const slot = this.free[--this.freeCount];
    const buf = this.slots[slot];
    const enc = this.encapsulation;
    enc.writeHeader(buf, 0);
    copyInto(buf, enc.headerLength, frame, off, len);
    const total = enc.headerLength + len;
    s.txPending++;
    sock.send(buf, 0, total, this.remote.port, this.remote.address, this.sent[slot]);
    s.txBytes += total;
    return true;
  }

  carrier(_from: WireEndpoint): boolean {
    return this.opened;
  }

  private release(slot: number, err: Error | null): void {
    const s = this.stats;
    s.txPending--;
    this.free[this.freeCount++] = slot;
    if (err === null) {
      s.txFrames++;
    } else {
      s.drops['tx-error']++;
      s.lastError = err.message;
    }
  }

  /** Sum of receive drops (for the accounting identity). */
  get rxDropped(): number {
    let n = 0;
    for (const r of RX_REASONS) n += this.stats.drops[r];
    return n;
  }
}

/** Copies a frame into a send slot with `Buffer#copy` (a memmove that needs no view of the range). */
function copyInto(dst: Buffer, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (Buffer.isBuffer(src)) {
    src.copy(dst, dstOff, srcOff, srcOff + len);
    return;
  }
  Buffer.prototype.copy.call(src, dst, dstOff, srcOff, srcOff + len);
}
