/**
 * Register map and in-memory formats of the ifnet crypto card, a bcm5823-like (Broadcom `ubsec`)
 * shallow-queue AES-GCM accelerator. BAR0, 32-bit registers, little-endian.
 */
export const CC_VENDOR = 0x14e4;
export const CC_DEVICE = 0x5823;

/** Control: {@link CTRL_ENABLE} starts the engine, {@link CTRL_RESET} clears rings and counters. */
export const CC_CTRL = 0x00;
/** Interrupt cause, read-to-clear. */
export const CC_ISR = 0x04;
/** Interrupt mask (1 = enabled). */
export const CC_IMR = 0x08;
/** Read-only: depth of the work queue (command ring entries). */
export const CC_QDEPTH = 0x0c;
/** Command ring base (bus address, low/high halves); the ring has QDEPTH entries of {@link CMD_SIZE}. */
export const CC_CMD_LO = 0x10;
export const CC_CMD_HI = 0x14;
/** Doorbell: the driver writes its producer count (mod 2^16); reads return the last value accepted. */
export const CC_DOORBELL = 0x18;
/** Read-only: commands finished (consumer count, mod 2^16). */
export const CC_CMD_CONS = 0x1c;
/** Completion ring base; QDEPTH entries of {@link DONE_SIZE}. */
export const CC_DONE_LO = 0x20;
export const CC_DONE_HI = 0x24;
/** Read-only: completion entries written (producer count, mod 2^16). */
export const CC_DONE_PROD = 0x28;
/** Read-only statistics: operations done, doorbells that overran the queue, bad descriptors. */
export const CC_STAT_OPS = 0x2c;
export const CC_STAT_OVERRUN = 0x30;
export const CC_STAT_BADDESC = 0x34;
export const CC_BAR_SIZE = 0x40;

export const CTRL_ENABLE = 1;
export const CTRL_RESET = 2;
export const ISR_DONE = 1;
/** A doorbell asked for more commands than the queue holds (the excess is ignored). */
export const ISR_OVERRUN = 2;

/** Command descriptor (64 bytes). */
export const CMD_SIZE = 64;
export const CMD_OP = 0; // u8: CMD_OP_*
export const CMD_KEYLEN = 1; // u8: 16 or 32
export const CMD_AADLEN = 2; // u8: <= 32
export const CMD_COOKIE = 4; // u32: echoed in the completion
export const CMD_KEY = 8; // u64: key bytes
export const CMD_NONCE = 16; // u64: 12-byte GCM nonce
export const CMD_AAD = 24; // u64: AAD bytes
export const CMD_BUF = 32; // u64: data, processed in place; the 16-byte tag follows it
export const CMD_LEN = 40; // u32: data length, tag excluded
export const CMD_OP_ENCRYPT = 1;
export const CMD_OP_DECRYPT = 2;

/** Completion entry (8 bytes). */
export const DONE_SIZE = 8;
export const DONE_COOKIE = 0; // u32
export const DONE_STATUS = 4; // u16: DONE_ST_*
export const DONE_ST_OK = 0;
export const DONE_ST_AUTH = 1;
export const DONE_ST_BADDESC = 2;

export const CC_REGISTER_NAMES: Record<number, string> = {
  [CC_CTRL]: 'CTRL',
  [CC_ISR]: 'ISR',
  [CC_IMR]: 'IMR',
  [CC_QDEPTH]: 'QDEPTH',
  [CC_CMD_LO]: 'CMD_LO',
  [CC_CMD_HI]: 'CMD_HI',
  [CC_DOORBELL]: 'DOORBELL',
  [CC_CMD_CONS]: 'CMD_CONS',
  [CC_DONE_LO]: 'DONE_LO',
  [CC_DONE_HI]: 'DONE_HI',
  [CC_DONE_PROD]: 'DONE_PROD',
  [CC_STAT_OPS]: 'STAT_OPS',
  [CC_STAT_OVERRUN]: 'STAT_OVERRUN',
  [CC_STAT_BADDESC]: 'STAT_BADDESC',
};
