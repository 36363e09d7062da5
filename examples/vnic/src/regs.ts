/**
 * The vnic's programming model: register offsets, bits and the descriptor layout, shared by the device
 * model (the hardware side) and the driver — exactly what a datasheet gives both.
 *
 * One 32-bit register window (BAR0, 0x50 bytes) and two descriptor rings in host memory:
 *
 * | offset | name        | access | meaning |
 * |--------|-------------|--------|---------|
 * | 0x00   | CTRL        | rw     | RESET (self-clearing), RX_EN, TX_EN, PROMISC, ALLMULTI, BCAST |
 * | 0x04   | STATUS      | r      | LINK (carrier) |
 * | 0x08   | ISR         | r/clr  | pending causes; reading returns and clears them (acknowledges) |
 * | 0x0C   | IMS         | rw     | write 1s: enable causes; read: the enabled causes |
 * | 0x10   | IMC         | w      | write 1s: disable causes |
 * | 0x14   | MAC_LO      | rw     | station address bytes 0..3 (loaded from the EEPROM at reset) |
 * | 0x18   | MAC_HI      | rw     | station address bytes 4..5 |
 * | 0x1C   | RX_BASE_LO  | rw     | receive ring bus address, low 32 bits |
 * | 0x20   | RX_BASE_HI  | rw     | receive ring bus address, high 32 bits |
 * | 0x24   | RX_SIZE     | rw     | receive descriptors (power of two, 8..1024) |
 * | 0x28   | RX_TAIL     | rw     | first slot the driver has *not* given to the device |
 * | 0x2C   | RX_HEAD     | r      | next slot the device fills |
 * | 0x30.. | TX_*        |        | the same five registers for the transmit ring |
 * | 0x44   | MISSED      | r/clr  | frames dropped because no receive descriptor was free |
 * | 0x48   | RX_ERRORS   | r/clr  | frames dropped because longer than the descriptor's buffer |
 *
 * A descriptor is 16 bytes: bus address (8, little-endian), length (2), flags (2), 4 reserved. The driver
 * hands a descriptor to the device by moving the ring's TAIL past it; the device hands it back by setting
 * {@link DESC_DONE} (and, for receive, writing the frame length).
 *
 * @module
 */

/** Fictional PCI ids of the example part (not a real vendor). */
export const VNIC_VENDOR = 0xf1f0;
export const VNIC_DEVICE = 0x0001;

export const VNIC_CTRL = 0x00;
export const VNIC_STATUS = 0x04;
export const VNIC_ISR = 0x08;
export const VNIC_IMS = 0x0c;
export const VNIC_IMC = 0x10;
export const VNIC_MAC_LO = 0x14;
export const VNIC_MAC_HI = 0x18;
export const VNIC_RX_BASE_LO = 0x1c;
export const VNIC_RX_BASE_HI = 0x20;
export const VNIC_RX_SIZE = 0x24;
export const VNIC_RX_TAIL = 0x28;
export const VNIC_RX_HEAD = 0x2c;
export const VNIC_TX_BASE_LO = 0x30;
export const VNIC_TX_BASE_HI = 0x34;
export const VNIC_TX_SIZE = 0x38;
export const VNIC_TX_TAIL = 0x3c;
export const VNIC_TX_HEAD = 0x40;
export const VNIC_MISSED = 0x44;
export const VNIC_RX_ERRORS = 0x48;
export const VNIC_REG_SIZE = 0x50;

export const CTRL_RESET = 1 << 0;
export const CTRL_RX_EN = 1 << 1;
export const CTRL_TX_EN = 1 << 2;
export const CTRL_PROMISC = 1 << 3;
export const CTRL_ALLMULTI = 1 << 4;
export const CTRL_BCAST = 1 << 5;

export const STATUS_LINK = 1 << 0;

/** A frame was written to a receive descriptor. */
export const INT_RX = 1 << 0;
/** A transmit descriptor was completed. */
export const INT_TX = 1 << 1;
/** The carrier changed. */
export const INT_LINK = 1 << 2;
/** A frame was missed: no receive descriptor was free (ring overrun). */
export const INT_RXO = 1 << 3;
export const INT_ALL = INT_RX | INT_TX | INT_LINK | INT_RXO;

export const DESC_SIZE = 16;
export const DESC_ADDR = 0;
export const DESC_LEN = 8;
export const DESC_FLAGS = 10;
/** The device is done with the descriptor. */
export const DESC_DONE = 1 << 0;

/** Receive buffers the driver gives the device are clusters of this many bytes. */
export const VNIC_BUFSIZE = 2048;
