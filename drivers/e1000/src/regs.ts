/**
 * Intel 8254x (e1000) register offsets, bits and descriptor layouts — the `if_wmreg.h` of this package,
 * shared by the device model (the hardware) and the driver (which reaches it through `BusSpace` only).
 *
 * Offsets are byte offsets into BAR0 (memory-mapped, 128 KiB); every register is 32 bits wide.
 *
 * @module
 */

/** Size of the memory-mapped register window (BAR0). */
export const E1000_BAR0_SIZE = 0x20000;

// ---- general ---------------------------------------------------------------------------------------
/** Device control. */
export const E1000_CTRL = 0x00000;
/** Device status (read only). */
export const E1000_STATUS = 0x00008;
/** EEPROM/flash control (stored, not modelled). */
export const E1000_EECD = 0x00010;
/** Extended device control (stored, not modelled). */
export const E1000_CTRL_EXT = 0x00018;
/** Packet buffer allocation (stored; default 48 KB receive / 16 KB transmit). */
export const E1000_PBA = 0x01000;

// ---- interrupts ------------------------------------------------------------------------------------
/** Interrupt cause read: reading returns the causes and clears them all; writing 1s clears those bits. */
export const E1000_ICR = 0x000c0;
/** Interrupt throttling: minimum interval between interrupts, 256 ns units (0 = off). */
export const E1000_ITR = 0x000c4;
/** Interrupt cause set (software-triggered causes). */
export const E1000_ICS = 0x000c8;
/** Interrupt mask set: 1s enable; reads return the mask. */
export const E1000_IMS = 0x000d0;
/** Interrupt mask clear: 1s disable. */
export const E1000_IMC = 0x000d8;

// ---- receive ---------------------------------------------------------------------------------------
export const E1000_RCTL = 0x00100;
export const E1000_RDBAL = 0x02800;
export const E1000_RDBAH = 0x02804;
/** Receive ring length in bytes (multiple of 128). */
export const E1000_RDLEN = 0x02808;
export const E1000_RDH = 0x02810;
export const E1000_RDT = 0x02818;
/** Receive delay timer (packet timer), 1.024 µs units; bit 31 FPD flushes it. */
export const E1000_RDTR = 0x02820;
/** Receive interrupt absolute delay timer, 1.024 µs units. */
export const E1000_RADV = 0x0282c;
/** Receive checksum control: PCSS (b0-7), IPOFL (b8), TUOFL (b9). */
export const E1000_RXCSUM = 0x05000;
/** Multicast table array: 128 registers, 4096 hash bits. */
export const E1000_MTA = 0x05200;
export const E1000_MTA_COUNT = 128;
/** Receive address low/high, 16 pairs: RAL(n) = 0x5400 + 8n, RAH(n) = 0x5404 + 8n. */
export const E1000_RAL0 = 0x05400;
export const E1000_RAH0 = 0x05404;
export const E1000_RA_COUNT = 16;
export const E1000_RAL = (n: number): number => E1000_RAL0 + 8 * n;
export const E1000_RAH = (n: number): number => E1000_RAH0 + 8 * n;

// ---- transmit --------------------------------------------------------------------------------------
export const E1000_TCTL = 0x00400;
/** Transmit inter-packet gap (stored, not modelled). */
export const E1000_TIPG = 0x00410;
export const E1000_TDBAL = 0x03800;
export const E1000_TDBAH = 0x03804;
export const E1000_TDLEN = 0x03808;
export const E1000_TDH = 0x03810;
export const E1000_TDT = 0x03818;
/** Transmit interrupt delay value, 1.024 µs units (for descriptors with IDE). */
export const E1000_TIDV = 0x03820;
/** Transmit absolute interrupt delay value, 1.024 µs units. */
export const E1000_TADV = 0x0382c;

// ---- statistics (clear on read) ----------------------------------------------------------------------
export const E1000_CRCERRS = 0x04000;
/** Missed packets: arrived with no free receive descriptor. */
export const E1000_MPC = 0x04010;
export const E1000_GPRC = 0x04074;
export const E1000_BPRC = 0x04078;
export const E1000_MPRC = 0x0407c;
export const E1000_GPTC = 0x04080;
/** Good octets received, 64 bits: the pair clears when the high half is read. */
export const E1000_GORCL = 0x04088;
export const E1000_GORCH = 0x0408c;
export const E1000_GOTCL = 0x04090;
export const E1000_GOTCH = 0x04094;
/** Receive no buffers: a frame found no free descriptor (counted with MPC in this model). */
export const E1000_RNBC = 0x040a0;
/** Receive undersize (shorter than 64 bytes with FCS). */
export const E1000_RUC = 0x040a4;
/** Receive oversize (longer than the maximum frame size). */
export const E1000_ROC = 0x040ac;
export const E1000_TORL = 0x040c0;
export const E1000_TORH = 0x040c4;
export const E1000_TOTL = 0x040c8;
export const E1000_TOTH = 0x040cc;
/** Total packets received (every frame seen on the wire, filtered or not). */
export const E1000_TPR = 0x040d0;
/** Total packets transmitted. */
export const E1000_TPT = 0x040d4;

// ---- CTRL bits -------------------------------------------------------------------------------------
export const CTRL_FD = 1 << 0;
export const CTRL_ASDE = 1 << 5;
/** Set link up. */
export const CTRL_SLU = 1 << 6;
/** Device reset (self-clearing). */
export const CTRL_RST = 1 << 26;
export const CTRL_VME = 1 << 30;
export const CTRL_PHY_RST = 1 << 31;

// ---- STATUS bits -----------------------------------------------------------------------------------
export const STATUS_FD = 1 << 0;
/** Link up. */
export const STATUS_LU = 1 << 1;
/** Speed field: 0x80 = 1000 Mb/s. */
export const STATUS_SPEED_1000 = 0x80;

// ---- interrupt cause bits (ICR/ICS/IMS/IMC) -----------------------------------------------------------
/** Transmit descriptor written back. */
export const ICR_TXDW = 0x01;
/** Transmit queue empty. */
export const ICR_TXQE = 0x02;
/** Link status change. */
export const ICR_LSC = 0x04;
export const ICR_RXSEQ = 0x08;
/** Receive descriptors fell to the minimum threshold. */
export const ICR_RXDMT0 = 0x10;
/** Receive overrun (a frame was missed). */
export const ICR_RXO = 0x40;
/** Receiver timer interrupt. */
export const ICR_RXT0 = 0x80;
export const ICR_MDAC = 0x200;
/** Every cause this model can raise. */
export const ICR_ALL = 0x0001ffff;

// ---- RCTL bits -------------------------------------------------------------------------------------
export const RCTL_EN = 1 << 1;
/** Store bad packets (undersized frames are kept). */
export const RCTL_SBP = 1 << 2;
/** Unicast promiscuous. */
export const RCTL_UPE = 1 << 3;
/** Multicast promiscuous. */
export const RCTL_MPE = 1 << 4;
/** Long packet enable (frames up to 16 KB). */
export const RCTL_LPE = 1 << 5;
/** Receive descriptor minimum threshold size: 1/2, 1/4, 1/8 of the ring. */
export const RCTL_RDMTS_SHIFT = 8;
export const RCTL_RDMTS_HALF = 0 << 8;
export const RCTL_RDMTS_QUARTER = 1 << 8;
export const RCTL_RDMTS_EIGHTH = 2 << 8;
/** Multicast offset: which 12 address bits index the MTA. */
export const RCTL_MO_SHIFT = 12;
/** Accept broadcast. */
export const RCTL_BAM = 1 << 15;
/** Buffer size field (with BSEX): 00 = 2048 / 16384, 01 = 1024 / 8192 (... see {@link rctlBufferSize}). */
export const RCTL_BSIZE_SHIFT = 16;
export const RCTL_BSIZE_2048 = 0 << 16;
export const RCTL_BSIZE_1024 = 1 << 16;
export const RCTL_BSIZE_512 = 2 << 16;
export const RCTL_BSIZE_256 = 3 << 16;
/** Buffer size extension: multiply BSIZE by 16. */
export const RCTL_BSEX = 1 << 25;
export const RCTL_BSIZE_16384 = RCTL_BSEX | (1 << 16);
export const RCTL_BSIZE_8192 = RCTL_BSEX | (2 << 16);
export const RCTL_BSIZE_4096 = RCTL_BSEX | (3 << 16);
/** Strip the Ethernet CRC from received frames. */
export const RCTL_SECRC = 1 << 26;

/** Receive buffer size selected by RCTL.BSIZE/BSEX. (BSEX with BSIZE 00 is reserved; read as 2048.) */
export function rctlBufferSize(rctl: number): number {
  const bsize = (rctl >>> RCTL_BSIZE_SHIFT) & 3;
  if ((rctl & RCTL_BSEX) !== 0 && bsize !== 0) return BSIZE_EXT[bsize];
  return BSIZE[bsize];
}
const BSIZE = Int32Array.of(2048, 1024, 512, 256);
const BSIZE_EXT = Int32Array.of(0, 16384, 8192, 4096);

// ---- RXCSUM bits -----------------------------------------------------------------------------------
/** Packet checksum start: the descriptor's checksum field sums the frame from this byte on. */
export const RXCSUM_PCSS_MASK = 0xff;
/** IPv4 header checksum offload: the device verifies it (status IPCS, error IPE). */
export const RXCSUM_IPOFL = 1 << 8;
/** TCP/UDP checksum offload: the device verifies it (status TCPCS, error TCPE). */
export const RXCSUM_TUOFL = 1 << 9;

// ---- TCTL bits -------------------------------------------------------------------------------------
export const TCTL_EN = 1 << 1;
/** Pad short packets to 64 bytes (60 without FCS). */
export const TCTL_PSP = 1 << 3;
export const TCTL_CT_SHIFT = 4;
export const TCTL_COLD_SHIFT = 12;

// ---- RAH bits --------------------------------------------------------------------------------------
/** Address valid. */
export const RAH_AV = 1 << 31;

// ---- legacy descriptors (16 bytes) -----------------------------------------------------------------------
export const DESC_SIZE = 16;
/** Receive descriptor: buffer address (u64). */
export const RXD_ADDR = 0;
/** Receive descriptor: length written back (u16). */
export const RXD_LENGTH = 8;
/** Receive descriptor: packet checksum (u16). */
export const RXD_CSUM = 10;
/** Receive descriptor: status (u8). */
export const RXD_STATUS = 12;
/** Receive descriptor: errors (u8). */
export const RXD_ERRORS = 13;
/** Receive descriptor: special / VLAN tag (u16). */
export const RXD_SPECIAL = 14;

export const RXD_STAT_DD = 0x01;
export const RXD_STAT_EOP = 0x02;
/** Ignore the checksum indications (no offload was done for this packet). */
export const RXD_STAT_IXSM = 0x04;
/** The 802.1Q tag was stripped into the special field (VLAN mode only). */
export const RXD_STAT_VP = 0x08;
/** UDP checksum calculated (later parts of the family; this model sets it with TCPCS for UDP). */
export const RXD_STAT_UDPCS = 0x10;
/** TCP/UDP checksum calculated (the 8254x's TCPCS covers both). */
export const RXD_STAT_TCPCS = 0x20;
/** IPv4 header checksum calculated. */
export const RXD_STAT_IPCS = 0x40;
/** Passed in-exact filter. */
export const RXD_STAT_PIF = 0x80;

export const RXD_ERR_CE = 0x01;
export const RXD_ERR_SE = 0x02;
export const RXD_ERR_SEQ = 0x04;
export const RXD_ERR_CXE = 0x10;
/** TCP/UDP checksum error (valid with TCPCS). */
export const RXD_ERR_TCPE = 0x20;
/** IPv4 header checksum error (valid with IPCS). */
export const RXD_ERR_IPE = 0x40;
/** RX data error (used by this model for a receive buffer DMA fault). */
export const RXD_ERR_RXE = 0x80;

/** Transmit descriptor: buffer address (u64). */
export const TXD_ADDR = 0;
/** Transmit descriptor: length (u16). */
export const TXD_LENGTH = 8;
export const TXD_CSO = 10;
/** Transmit descriptor: command (u8). */
export const TXD_CMD = 11;
/** Transmit descriptor: status (u8). */
export const TXD_STATUS = 12;
export const TXD_CSS = 13;
export const TXD_SPECIAL = 14;

export const TXD_CMD_EOP = 0x01;
export const TXD_CMD_IFCS = 0x02;
export const TXD_CMD_IC = 0x04;
/** Report status: write DD back when done. */
export const TXD_CMD_RS = 0x08;
export const TXD_CMD_RPS = 0x10;
/** Extension (context/data descriptors): not supported by this model. */
export const TXD_CMD_DEXT = 0x20;
export const TXD_CMD_VLE = 0x40;
/** Interrupt delay enable: TXDW waits for TIDV/TADV. */
export const TXD_CMD_IDE = 0x80;

export const TXD_STAT_DD = 0x01;
export const TXD_STAT_EC = 0x02;
export const TXD_STAT_LC = 0x04;
export const TXD_STAT_TU = 0x08;

// ---- identity and units ------------------------------------------------------------------------------
export const E1000_VENDOR_INTEL = 0x8086;
/** 82540EM (the part QEMU emulates). */
export const E1000_DEV_82540EM = 0x100e;
/** ITR unit in ns. */
export const ITR_UNIT_NS = 256;
/** RDTR / RADV / TIDV / TADV unit in ns (1.024 µs). */
export const DELAY_UNIT_NS = 1024;

/** Multicast table hash (MO = 0: address bits 47:36, i.e. the high nibble of byte 4 and byte 5). */
export function mtaHash(addr: Uint8Array, off: number, mo = 0): number {
  const v = (addr[off + 5] << 8) | addr[off + 4];
  return (v >>> MO_SHIFT[mo & 3]) & 0xfff;
}
const MO_SHIFT = Int32Array.of(4, 3, 2, 0);
