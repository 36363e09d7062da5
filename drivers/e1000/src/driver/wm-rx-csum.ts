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
 * {@link rxCsumFlags} for every combination of the five write-back bits it reads, worked out once: the
 * receive loop reads a packet's flags with one load instead of a call and its branches (and keeps V8's
 * inlining budget for the rest of the loop). The index, from the status word `wb` (`status | errors << 8
 * | ...`): bits 0-1 status TCPCS, IPCS (`wb` bits 5-6); bits 2-3 errors TCPE, IPE (`wb` bits 13-14);
 * bit 4 status IXSM (`wb` bit 2).
 */
export function rxCsumTable(): Int32Array {
  const t = new Int32Array(32);
  for (let i = 0; i < 32; i++) {
    const status = ((i & 3) << 5) | ((i & 16) >>> 2);
    const errors = (i & 0xc) << 3;
    t[i] = rxCsumFlags(status, errors);
  }
  return t;
}
