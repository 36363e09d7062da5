/**
 * The receive checksum indications of a `wm` descriptor write-back as BSD `csum_flags`, as a table the
 * receive loop (`rxeof` in `wm-datapath.ts`) indexes with five bits of the status word.
 *
 * @module
 */
import { M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_TCP_UDP_BAD, M_CSUM_TCPv4, M_CSUM_UDPv4 } from '@ifnet/core';
import { RXD_ERR_IPE, RXD_ERR_TCPE, RXD_STAT_IPCS, RXD_STAT_IXSM, RXD_STAT_TCPCS } from '../regs.js';

/**
 * `csum_flags` from a receive descriptor (NetBSD `wm_rxdesc_ensure_checksum`): IXSM → nothing was
 * checked; else IPCS → the IPv4 header sum was verified (IPE: bad); TCPCS → the TCP or UDP sum was
 * verified (TCPE: bad). The 8254x does not say which of the two it checked, so both flags are set, as
 * NetBSD does; the protocol that takes the packet looks at its own.
 */
export function rxCsumFlags(status: number, errors: number): number {
  if ((status & RXD_STAT_IXSM) !== 0) return 0;
  let f = 0;
  if ((status & RXD_STAT_IPCS) !== 0) {
    f = (errors & RXD_ERR_IPE) !== 0 ? M_CSUM_IPv4 | M_CSUM_IPv4_BAD : M_CSUM_IPv4;
  }
  if ((status & RXD_STAT_TCPCS) !== 0) {
    f |= (errors & RXD_ERR_TCPE) !== 0 ? M_CSUM_TCPv4 | M_CSUM_UDPv4 | M_CSUM_TCP_UDP_BAD : M_CSUM_TCPv4 | M_CSUM_UDPv4;
  }
  return f;
}

/**
 * The {@link rxCsumTable} index of a write-back's status word `wb` (`status | errors << 8 | ...`): bits 0-1
 * status TCPCS, IPCS (`wb` bits 5-6); bits 2-3 errors TCPE, IPE (`wb` bits 13-14); bit 4 status IXSM (`wb`
 * bit 2). `wm_rxeof` writes this expression out in its loop (a call, even inlined, spends the loop's V8
 * inlining budget); the table is built through this function, so the two must read the same bits.
 */
export function rxCsumIndex(wb: number): number {
  return ((wb >>> 5) & 3) | ((wb >>> 11) & 0xc) | ((wb & RXD_STAT_IXSM) << 2);
}

/**
 * {@link rxCsumFlags} for every combination of the five write-back bits it reads, at its
 * {@link rxCsumIndex}, worked out once: the receive loop reads a packet's flags with one load instead of a
 * call and its branches. Built from the register bits themselves, and refused (at module load) if the
 * index does not tell every combination apart.
 */
export function rxCsumTable(): Int32Array {
  const t = new Int32Array(32);
  const seen = new Uint8Array(32);
  for (let k = 0; k < 32; k++) {
    const status =
      ((k & 1) !== 0 ? RXD_STAT_TCPCS : 0) | ((k & 2) !== 0 ? RXD_STAT_IPCS : 0) | ((k & 16) !== 0 ? RXD_STAT_IXSM : 0);
    const errors = ((k & 4) !== 0 ? RXD_ERR_TCPE : 0) | ((k & 8) !== 0 ? RXD_ERR_IPE : 0);
    const i = rxCsumIndex(status | (errors << 8));
    if (seen[i] !== 0) throw new Error('wm: rxCsumIndex maps two checksum write-backs to one table entry');
    seen[i] = 1;
    t[i] = rxCsumFlags(status, errors);
  }
  return t;
}
