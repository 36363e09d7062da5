/**
 * `@ifnet/e1000/trace`: register names for tracing register accesses to an e1000, the way QEMU's
 * `-trace e1000*` events name them.
 *
 * {@link e1000RegisterName} names any offset of the BAR (arrays as `MTA[12]`, `RAL[0]`; statistics by
 * their datasheet mnemonics). The model hands it to core as its `registerNames`, so core's bus-space
 * trace shows names:
 *
 * ```ts
 * const trace = host.traceRegisters({ filter: /^(ICR|IMS|IMC)$/ });
 * // ... run ...
 * trace.names(); // ['read ICR', 'write IMC', 'read ICR', 'write IMS', ...]
 * ```
 *
 * @module
 */
import {
  E1000_BPRC,
  E1000_CRCERRS,
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_EECD,
  E1000_GORCH,
  E1000_GORCL,
  E1000_GOTCH,
  E1000_GOTCL,
  E1000_GPRC,
  E1000_GPTC,
  E1000_ICR,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_MPC,
  E1000_MPRC,
  E1000_MTA,
  E1000_MTA_COUNT,
  E1000_PBA,
  E1000_RA_COUNT,
  E1000_RADV,
  E1000_RAL0,
  E1000_RCTL,
  E1000_RDBAH,
  E1000_RDBAL,
  E1000_RDH,
  E1000_RDLEN,
  E1000_RDT,
  E1000_RDTR,
  E1000_RNBC,
  E1000_ROC,
  E1000_RUC,
  E1000_RXCSUM,
  E1000_STATUS,
  E1000_TADV,
  E1000_TCTL,
  E1000_TDBAH,
  E1000_TDBAL,
  E1000_TDH,
  E1000_TDLEN,
  E1000_TDT,
  E1000_TIDV,
  E1000_TIPG,
  E1000_TORH,
  E1000_TORL,
  E1000_TOTH,
  E1000_TOTL,
  E1000_TPR,
  E1000_TPT,
} from './regs.js';

/** Every single register this package names, by offset. */
export const E1000_REGISTER_NAMES: ReadonlyMap<number, string> = new Map([
  [E1000_CTRL, 'CTRL'],
  [E1000_STATUS, 'STATUS'],
  [E1000_EECD, 'EECD'],
  [E1000_CTRL_EXT, 'CTRL_EXT'],
  [E1000_ICR, 'ICR'],
  [E1000_ITR, 'ITR'],
  [E1000_ICS, 'ICS'],
  [E1000_IMS, 'IMS'],
  [E1000_IMC, 'IMC'],
  [E1000_RCTL, 'RCTL'],
  [E1000_TCTL, 'TCTL'],
  [E1000_TIPG, 'TIPG'],
  [E1000_PBA, 'PBA'],
  [E1000_RDBAL, 'RDBAL'],
  [E1000_RDBAH, 'RDBAH'],
  [E1000_RDLEN, 'RDLEN'],
  [E1000_RDH, 'RDH'],
  [E1000_RDT, 'RDT'],
  [E1000_RDTR, 'RDTR'],
  [E1000_RADV, 'RADV'],
  [E1000_RXCSUM, 'RXCSUM'],
  [E1000_TDBAL, 'TDBAL'],
  [E1000_TDBAH, 'TDBAH'],
  [E1000_TDLEN, 'TDLEN'],
  [E1000_TDH, 'TDH'],
  [E1000_TDT, 'TDT'],
  [E1000_TIDV, 'TIDV'],
  [E1000_TADV, 'TADV'],
  [E1000_CRCERRS, 'CRCERRS'],
  [E1000_MPC, 'MPC'],
  [E1000_GPRC, 'GPRC'],
  [E1000_BPRC, 'BPRC'],
  [E1000_MPRC, 'MPRC'],
  [E1000_GPTC, 'GPTC'],
  [E1000_GORCL, 'GORCL'],
  [E1000_GORCH, 'GORCH'],
  [E1000_GOTCL, 'GOTCL'],
  [E1000_GOTCH, 'GOTCH'],
  [E1000_RNBC, 'RNBC'],
  [E1000_RUC, 'RUC'],
  [E1000_ROC, 'ROC'],
  [E1000_TORL, 'TORL'],
  [E1000_TORH, 'TORH'],
  [E1000_TOTL, 'TOTL'],
  [E1000_TOTH, 'TOTH'],
  [E1000_TPR, 'TPR'],
  [E1000_TPT, 'TPT'],
]);

/**
 * The name of the register at byte `offset` of BAR0 — `ICR`, `MTA[5]`, `RAH[0]` — or undefined for an
 * offset the model does not name (a trace then shows the offset). This is the model's
 * `DeviceModel.registerNames` entry for BAR0, so `host.traceRegisters()` prints these names.
 */
export function e1000RegisterName(offset: number): string | undefined {
  const name = E1000_REGISTER_NAMES.get(offset);
  if (name !== undefined) return name;
  if (offset >= E1000_MTA && offset < E1000_MTA + 4 * E1000_MTA_COUNT && (offset & 3) === 0) {
    return `MTA[${(offset - E1000_MTA) >>> 2}]`;
  }
  if (offset >= E1000_RAL0 && offset < E1000_RAL0 + 8 * E1000_RA_COUNT && (offset & 3) === 0) {
    const n = (offset - E1000_RAL0) >>> 3;
    return (offset & 4) === 0 ? `RAL[${n}]` : `RAH[${n}]`;
  }
  return undefined;
}
