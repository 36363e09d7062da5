/**
 * Register offsets, bits and queue-entry layouts of the EHEA-like device — shared by the device model
 * (the hardware) and the driver (which reaches it through `BusSpace` and DMA memory only).
 *
 * The shape follows IBM eHEA: a port owns N *port resources* (1..16). Each is a queue pair (a receive
 * queue and a send queue of work-queue entries, WQEs), a completion queue (CQ) the device writes
 * completion entries into, and an event queue (EQ) with its own interrupt line (MSI-X-like: one vector
 * per port resource). Work is handed over with *doorbells*: writing `n` to a doorbell register adds `n`
 * credits (posted receive buffers, posted send entries, consumed completions, acknowledged events).
 *
 * Every register is 32 bits wide. BAR0 is {@link EHEA_BAR0_SIZE} bytes: global registers below 0x1000,
 * then one block of {@link EHEA_Q_STRIDE} bytes per port resource at {@link EHEA_Q_BASE}.
 *
 * eHEA is not a PCI device (it sits on the GX bus and is found through the device tree); the model gets
 * an identity of its own so autoconfiguration can match it like any other: IBM's PCI vendor id 0x1014 and
 * a device id made up for this model, 0x0EEA.
 *
 * @module
 */

/** IBM's PCI vendor id. */
export const EHEA_VENDOR_IBM = 0x1014;
/** The model's device id (made up: eHEA has no PCI id). */
export const EHEA_DEVICE_ID = 0x0eea;
/** Value of {@link EHEA_ID}: model 0xEEA, revision 1. */
export const EHEA_ID_VALUE = 0x0eea_0001;

/** Size of the register window (BAR0). */
export const EHEA_BAR0_SIZE = 0x2000;
/** Largest frame without FCS: 1514 bytes, 1518 with an 802.1Q tag (no jumbo frames). */
export const EHEA_MAX_FRAME = 1518;
/** Port resources a device can have at most. */
export const EHEA_MAX_QUEUES = 16;

// ---- global registers ------------------------------------------------------------------------------
/** Identification (read only): {@link EHEA_ID_VALUE}. */
export const EHEA_ID = 0x000;
/** Port control: {@link CTRL_LINK}, {@link CTRL_RXEN}, {@link CTRL_TXEN}, filter bits, {@link CTRL_RST}. */
export const EHEA_CTRL = 0x004;
/** Port status (read only): {@link STATUS_LU}. */
export const EHEA_STATUS = 0x008;
/** Active port resources, 1..{@link EHEA_MAXQ}. Frames are steered only to queues below this count. */
export const EHEA_NQUEUES = 0x00c;
/** Port resources this device has (read only). */
export const EHEA_MAXQ = 0x010;
/** Station address bytes 0..3 (byte 0 in bits 7:0); loaded from the "EEPROM" at reset. */
export const EHEA_MAC_LO = 0x014;
/** Station address bytes 4..5 (bits 15:0). */
export const EHEA_MAC_HI = 0x018;
/** Receive-side scaling control: {@link RSS_ENABLE} and the hash types. */
export const EHEA_RSS_CTRL = 0x01c;
/** Frames dropped as too long (> 1514 bytes, 1518 with an 802.1Q tag). Clear on read. */
export const EHEA_ERR_OVERSIZE = 0x020;
/** Frames dropped as too short (< 60 bytes without FCS). Clear on read. */
export const EHEA_ERR_RUNT = 0x024;
/** RSS key: 10 registers, 40 bytes; key byte 4i + j in bits 8j+7..8j of register i. */
export const EHEA_RSS_KEY = 0x040;
export const EHEA_RSS_KEY_BYTES = 40;
/** Indirection table: 32 registers, 128 one-byte entries; entry 4i + j in bits 8j+7..8j of register i. */
export const EHEA_RETA = 0x080;
export const EHEA_RETA_ENTRIES = 128;

export const CTRL_LINK = 1 << 0;
export const CTRL_RXEN = 1 << 1;
export const CTRL_TXEN = 1 << 2;
/** Accept every unicast frame (promiscuous). */
export const CTRL_UPE = 1 << 3;
/** Accept every multicast frame. */
export const CTRL_MPE = 1 << 4;
/** Accept broadcast frames. */
export const CTRL_BAM = 1 << 5;
/** Reset the device (self-clearing). */
export const CTRL_RST = 1 << 31;

/** Link up: {@link CTRL_LINK} set and carrier on the wire. */
export const STATUS_LU = 1 << 0;

export const RSS_ENABLE = 1 << 0;
/** Hash IPv4 source and destination addresses. */
export const RSS_IPV4 = 1 << 1;
/** Add the TCP ports for unfragmented TCP/IPv4. */
export const RSS_TCP_IPV4 = 1 << 2;
/** Add the UDP ports for unfragmented UDP/IPv4. */
export const RSS_UDP_IPV4 = 1 << 3;
export const RSS_ALL = RSS_ENABLE | RSS_IPV4 | RSS_TCP_IPV4 | RSS_UDP_IPV4;

// ---- per-port-resource registers -------------------------------------------------------------------
export const EHEA_Q_BASE = 0x1000;
export const EHEA_Q_STRIDE = 0x80;
/** Offset of register `reg` (one of the `Q_*` constants) of port resource `q`. */
export const EHEA_Q = (q: number, reg: number): number => EHEA_Q_BASE + q * EHEA_Q_STRIDE + reg;

/**
 * Port-resource control: {@link QCTRL_EN}. Setting EN (re)starts the resource: queue indices to 0, no
 * credits, completion and event phases to 1, the CQ's free entries to its size, disarmed.
 */
export const Q_CTRL = 0x00;
export const Q_RQ_BASE_LO = 0x04;
export const Q_RQ_BASE_HI = 0x08;
/** Receive queue entries (power of two, 8..4096). */
export const Q_RQ_SIZE = 0x0c;
/** Write n: n more receive WQEs were posted (receive credits). */
export const Q_RQ_DOORBELL = 0x10;
export const Q_SQ_BASE_LO = 0x14;
export const Q_SQ_BASE_HI = 0x18;
export const Q_SQ_SIZE = 0x1c;
/** Write n: n more send WQEs were posted; starts the transmitter. */
export const Q_SQ_DOORBELL = 0x20;
export const Q_CQ_BASE_LO = 0x24;
export const Q_CQ_BASE_HI = 0x28;
export const Q_CQ_SIZE = 0x2c;
/** Write n: the driver consumed n completion entries (the device may reuse them). */
export const Q_CQ_DOORBELL = 0x30;
/**
 * Write 1: request a notification for the *next* completion (eHEA's N1 bit, mlx4's "arm CQ"); write 0:
 * cancel it. One-shot: the device disarms when it fires. Entries already in the CQ do not fire it —
 * which is the completion race the driver must close by re-checking after arming. The arm is the
 * resource's interrupt enable for port events too: a link change or an error counter leaving 0 while
 * disarmed is latched and fires the next arm at once. Reads back the state.
 */
export const Q_CQ_ARM = 0x34;
export const Q_EQ_BASE_LO = 0x38;
export const Q_EQ_BASE_HI = 0x3c;
export const Q_EQ_SIZE = 0x40;
/** Write n: the driver acknowledged n event entries. The line is asserted while any is unacknowledged. */
export const Q_EQ_DOORBELL = 0x44;
/** Frames steered to this resource and dropped (no receive buffer, or CQ full). Clear on read. */
export const Q_MISSED = 0x48;

export const QCTRL_EN = 1 << 0;

/** Ring sizes the device accepts (entries). */
export const RING_MIN = 8;
export const RING_MAX = 4096;

// ---- queue entries (little-endian, in host memory) ---------------------------------------------------
/** Receive and send work-queue entries: 16 bytes. */
export const WQE_SIZE = 16;
/** 64-bit buffer bus address. */
export const WQE_ADDR = 0;
/** Buffer length (RQ) / bytes to send from this buffer (SQ), u16. */
export const WQE_LENGTH = 8;
/** SQ only: {@link WQE_EOP}, {@link WQE_SIGNAL}. */
export const WQE_FLAGS = 10;
/** Last buffer of a packet. */
export const WQE_EOP = 1 << 0;
/** Write a completion entry when the packet ending here has been sent. */
export const WQE_SIGNAL = 1 << 1;

/** Completion entries: 16 bytes. The status word (byte 12) is written last. */
export const CQE_SIZE = 16;
/** Frame length (receive), u16. */
export const CQE_LENGTH = 0;
/** Index of the WQE completed (receive: the buffer used; send: the packet's last WQE), u16. */
export const CQE_WQE = 2;
/** Toeplitz hash of the frame, u32 (0 when not hashed). */
export const CQE_HASH = 4;
/** {@link CQE_HASH}'s type: one of `HASH_*`. */
export const CQE_HASH_TYPE = 8;
/** Port resource that completed the work. */
export const CQE_QUEUE = 9;
/** `CQE_ERR_*`, 0 when fine. */
export const CQE_ERROR = 10;
/** {@link CQE_F_TX}, {@link CQE_F_BCAST}, {@link CQE_F_MCAST}. */
export const CQE_FLAGS = 11;
/** Bit 0: the valid/toggle bit ({@link CQE_VALID}); the device writes the current phase, which flips on every wrap. */
export const CQE_STATUS = 12;
export const CQE_VALID = 1 << 0;
export const CQE_F_TX = 1 << 0;
export const CQE_F_BCAST = 1 << 1;
export const CQE_F_MCAST = 1 << 2;
/** The frame did not fit the receive buffer: the buffer is returned with no data. */
export const CQE_ERR_LENGTH = 1;
/** The buffer address was implausible (bus error): no data. */
export const CQE_ERR_DMA = 2;

export const HASH_NONE = 0;
export const HASH_IPV4 = 1;
export const HASH_TCP_IPV4 = 2;
export const HASH_UDP_IPV4 = 3;

/** Event entries: 8 bytes; byte 7 (the valid/toggle bit) is written last. */
export const EQE_SIZE = 8;
/** One of `EQE_T_*`. */
export const EQE_TYPE = 0;
export const EQE_QUEUE = 1;
export const EQE_STATUS = 7;
export const EQE_VALID = 1 << 0;
/** An armed completion queue got a new entry. */
export const EQE_T_COMPLETION = 1;
/** Link state changed (posted to port resource 0). */
export const EQE_T_LINK = 2;
/** An error counter became non-zero: {@link Q_MISSED} (this resource) or the global ones (resource 0). */
export const EQE_T_ERRORS = 3;
