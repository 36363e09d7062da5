/**
 * National DP8390 / NE2000 register offsets and bits — the `dp8390reg.h` / `ne2000reg.h` of this package,
 * shared by the device model (the hardware) and the driver (which reaches it through `BusSpace` only).
 *
 * The card is a PIO part: 8-bit registers at I/O ports base+0x00..0x0F in pages selected by CR.PS1/PS0,
 * the remote-DMA data port at base+0x10 (8 or 16 bits wide per DCR.WTS) and the reset port at base+0x1F.
 * Its memory (the station address PROM and the packet RAM) is on the card and reached only through the
 * remote-DMA data port: the card never touches host memory.
 *
 * @module
 */

/** Size of the I/O window (BAR0). */
export const NE_IO_SIZE = 0x20;
/** Remote-DMA data port. */
export const NE_DATA = 0x10;
/** Reset port: a read resets the card (ISR.RST is set); a write ends the reset pulse. */
export const NE_RESET = 0x1f;

// ---- every page ------------------------------------------------------------------------------------
/** Command register. */
export const DP_CR = 0x00;

// ---- page 0, read ----------------------------------------------------------------------------------
/** Current local DMA address, low/high. */
export const DP_CLDA0 = 0x01;
export const DP_CLDA1 = 0x02;
/** Boundary: the last page the host has not yet given back (read/write). */
export const DP_BNRY = 0x03;
/** Transmit status. */
export const DP_TSR = 0x04;
/** Number of collisions of the last transmission (4 bits). */
export const DP_NCR = 0x05;
/** FIFO (diagnostics). */
export const DP_FIFO = 0x06;
/** Interrupt status (read; write 1s to clear). */
export const DP_ISR = 0x07;
/** Current remote DMA address, low/high. */
export const DP_CRDA0 = 0x08;
export const DP_CRDA1 = 0x09;
/** RTL8029 identification bytes at page 0 0x0A/0x0B (0x50 'P', 0x43 'C'). */
export const RTL_8029ID0 = 0x0a;
export const RTL_8029ID1 = 0x0b;
/** Receive status of the last frame. */
export const DP_RSR = 0x0c;
/** Tally counters (clear on read): frame alignment errors, CRC errors, missed packets. */
export const DP_CNTR0 = 0x0d;
export const DP_CNTR1 = 0x0e;
export const DP_CNTR2 = 0x0f;

// ---- page 0, write ---------------------------------------------------------------------------------
/** First page of the receive ring. */
export const DP_PSTART = 0x01;
/** Page after the last page of the receive ring. */
export const DP_PSTOP = 0x02;
/** Transmit page start. */
export const DP_TPSR = 0x04;
/** Transmit byte count, low/high. */
export const DP_TBCR0 = 0x05;
export const DP_TBCR1 = 0x06;
/** Remote start address, low/high. */
export const DP_RSAR0 = 0x08;
export const DP_RSAR1 = 0x09;
/** Remote byte count, low/high. */
export const DP_RBCR0 = 0x0a;
export const DP_RBCR1 = 0x0b;
/** Receive configuration. */
export const DP_RCR = 0x0c;
/** Transmit configuration. */
export const DP_TCR = 0x0d;
/** Data configuration. */
export const DP_DCR = 0x0e;
/** Interrupt mask. */
export const DP_IMR = 0x0f;

// ---- page 1 (read/write) ---------------------------------------------------------------------------
/** Physical (station) address, 6 registers from here. */
export const DP_PAR0 = 0x01;
/** Current page: where the card writes the next received frame. */
export const DP_CURR = 0x07;
/** Multicast address hash filter, 8 registers from here. */
export const DP_MAR0 = 0x08;

// ---- page 2 (read: the page 0 write-only registers, for diagnostics) --------------------------------
// PSTART 0x01, PSTOP 0x02, TPSR 0x04, RCR 0x0C, TCR 0x0D, DCR 0x0E, IMR 0x0F.

// ---- CR --------------------------------------------------------------------------------------------
/** Stop: the card finishes nothing new, receive and transmit off, ISR.RST set. */
export const CR_STP = 0x01;
/** Start. */
export const CR_STA = 0x02;
/** Transmit packet (cleared by the card when the transmission ends). */
export const CR_TXP = 0x04;
/** Remote DMA command, bits 3-5: read, write, send packet, abort/complete. */
export const CR_RD0 = 0x08;
export const CR_RD1 = 0x10;
export const CR_RD2 = 0x20;
export const CR_RD_MASK = 0x38;
export const CR_RD_READ = CR_RD0;
export const CR_RD_WRITE = CR_RD1;
export const CR_RD_SEND = CR_RD0 | CR_RD1;
export const CR_RD_ABORT = CR_RD2;
/** Page select, bits 6-7. */
export const CR_PS_SHIFT = 6;
export const CR_PAGE0 = 0x00;
export const CR_PAGE1 = 0x40;
export const CR_PAGE2 = 0x80;

// ---- ISR / IMR -------------------------------------------------------------------------------------
/** Packet received intact. */
export const ISR_PRX = 0x01;
/** Packet transmitted. */
export const ISR_PTX = 0x02;
/** Receive error (CRC, alignment, missed). */
export const ISR_RXE = 0x04;
/** Transmit error (aborted after 16 collisions, FIFO underrun). */
export const ISR_TXE = 0x08;
/** Receive ring overwrite warning: the ring is full and a frame was lost. */
export const ISR_OVW = 0x10;
/** A tally counter's most significant bit is set. */
export const ISR_CNT = 0x20;
/** Remote DMA complete. */
export const ISR_RDC = 0x40;
/** Reset status: set in reset/stop (and on overflow); a status bit only — it never interrupts. */
export const ISR_RST = 0x80;
/** The ISR bits that can interrupt (IMR bit 7 is reserved). */
export const IMR_ALL = 0x7f;

// ---- RCR -------------------------------------------------------------------------------------------
/** Save errored packets. */
export const RCR_SEP = 0x01;
/** Accept runt packets (shorter than 64 bytes). */
export const RCR_AR = 0x02;
/** Accept broadcast. */
export const RCR_AB = 0x04;
/** Accept multicast (through the MAR hash). */
export const RCR_AM = 0x08;
/** Promiscuous physical. */
export const RCR_PRO = 0x10;
/** Monitor mode: frames are checked and counted but not buffered. */
export const RCR_MON = 0x20;

// ---- TCR -------------------------------------------------------------------------------------------
/** Inhibit CRC. */
export const TCR_CRC = 0x01;
/** Loopback mode bits (00 normal, 01 internal, 10 internal ENDEC, 11 external). */
export const TCR_LB0 = 0x02;
export const TCR_LB1 = 0x04;
export const TCR_LB_MASK = 0x06;

// ---- DCR -------------------------------------------------------------------------------------------
/** Word transfer select: the data port moves 16 bits per access. */
export const DCR_WTS = 0x01;
/** Byte order select. */
export const DCR_BOS = 0x02;
/** Long address select. */
export const DCR_LAS = 0x04;
/** Loopback select: 0 = loopback mode, 1 = normal operation. */
export const DCR_LS = 0x08;
/** Auto-initialise remote. */
export const DCR_AR = 0x10;
/** FIFO threshold bits. */
export const DCR_FT1 = 0x40;

// ---- RSR (also the first byte of each received frame's header) --------------------------------------
export const RSR_PRX = 0x01;
export const RSR_CRC = 0x02;
export const RSR_FAE = 0x04;
export const RSR_FO = 0x08;
/** Missed packet (ring full or monitor mode). */
export const RSR_MPA = 0x10;
/** Physical (0) or multicast/broadcast (1) destination. */
export const RSR_PHY = 0x20;
export const RSR_DIS = 0x40;

// ---- TSR -------------------------------------------------------------------------------------------
export const TSR_PTX = 0x01;
/** Transmitted with at least one collision (count in NCR). */
export const TSR_COL = 0x04;
/** Aborted after 16 collisions. */
export const TSR_ABT = 0x08;
/** Carrier sense lost during transmission. */
export const TSR_CRS = 0x10;
/** FIFO underrun. */
export const TSR_FU = 0x20;
export const TSR_CDH = 0x40;
export const TSR_OWC = 0x80;

// ---- card memory -----------------------------------------------------------------------------------
/** A page of card memory (the receive ring's unit): 256 bytes. */
export const DP_PAGE_SIZE = 256;
/** The 4-byte header before each received frame: status, next page, byte count low/high. */
export const DP_RX_HDR_SIZE = 4;
/** NE2000 packet RAM starts at card address 0x4000 (page 0x40). */
export const NE_RAM_START_PAGE = 0x40;
/** The station address PROM at card address 0: 16 bytes, each presented twice (32 bytes). */
export const NE_PROM_SIZE = 32;
/** PROM bytes 14 and 15: 0x57 ('W') marks a 16-bit NE2000 (word-wide) card. */
export const NE_PROM_SIGNATURE = 0x57;

/** PCI identity of the RTL8029 (an NE2000-compatible PCI card). */
export const RTL_VENDOR_REALTEK = 0x10ec;
export const RTL_DEV_8029 = 0x8029;

/** Collisions after which a transmission is aborted (TSR.ABT). */
export const DP_MAX_COLLISIONS = 16;
