import { m_adj } from '../mbuf/m-adj.js';
import { m_prepend } from '../mbuf/m-prepend.js';
import { M_LOOP } from '../mbuf/flags.js';
import type { Mbuf } from '../mbuf/mbuf.js';
import { IFF_LOOPBACK, IFF_MULTICAST, type Ifnet } from '../net/ifnet.js';
import { IFT_LOOP, type LinkLayer } from '../net/link-layer.js';
import type { PollContext } from '../net/poll-context.js';
import type { Host } from './host.js';

/** Loopback header: the payload's ethertype as a 32-bit big-endian number (like DLT_NULL's family word). */
export const LOOP_HDRLEN = 4;

/**
 * The loopback link layer (`looutput` / loopback input). A packet sent on `lo0` gets a 4-byte header
 * naming its ethertype, goes through the interface send queue, and comes back in through the interface's
 * own poll context — so loopback exercises the same paths as a real driver (send queue, continuation,
 * budget, `if_input`, table dispatch) without any hardware, and never recurses from output into input.
 */
export const loopbackLinkLayer: LinkLayer = {
  ifType: IFT_LOOP,
  name: 'loop',
  hdrlen: LOOP_HDRLEN,
  addrlen: 0,

  input(ifp: Ifnet, m: Mbuf): void {
    if (m.pkthdr.len < LOOP_HDRLEN) {
      ifp.dropInput(m, 'loop.runt');
      return;
    }
    const first = m.len >= LOOP_HDRLEN ? m : null;
    let key: number;
    if (first !== null) key = first.view.getUint32(first.off, false);
    else {
      ifp.dropInput(m, 'loop.header-split');
      return;
    }
    m_adj(m, LOOP_HDRLEN);
    if (key > 0xffff || !ifp.host.ethertypes.dispatch(key, m, 0, ifp)) ifp.noProto(m);
  },

  output(ifp: Ifnet, m: Mbuf, proto: number): boolean {
    const n = m_prepend(m, LOOP_HDRLEN);
    if (n === null) {
      ifp.countOutputDrop('loop.nobufs');
      return false;
    }
    n.view.setUint32(n.off, proto >>> 0, false);
    return ifp.transmit(n);
  },
};

/** Creates `lo0` on a host: MTU 33184 as in BSD, one poll context fed by the send queue. */
export function createLoopback(host: Host): Ifnet {
  host.addLinkLayer(loopbackLinkLayer);
  let ctx: PollContext | undefined;
  const ifp = host.ifAttach({
    name: 'lo',
    ifType: IFT_LOOP,
    mtu: 33184,
    maxMtu: 65535,
    flags: IFF_LOOPBACK | IFF_MULTICAST,
    ops: {
      init() {},
      stop() {},
      start() {
        ctx?.kick();
      },
    },
  });
  ctx = ifp.addPollContext({
    name: 'lo0.poll',
    maskOnDefer: false,
    ops: {
      poll(c, budget) {
        const lo = c.ifp;
        let n = 0;
        while (n < budget) {
          const m = lo.sendQueue.dequeue(lo);
          if (m === null) break;
          n++;
          lo.counters.opackets++;
          lo.counters.obytes += m.pkthdr.len;
          m.flags |= M_LOOP;
          lo.input(m);
        }
        return n;
      },
      intrEnable() {},
      intrDisable() {},
      workPending(c) {
        return c.ifp.sendQueue.length > 0;
      },
    },
    // Software interface: there is no interrupt to mitigate.
    policy: () => ({
      name: 'loopback',
      onInterrupt() {},
      decide: () => 'unmask' as const,
      describe: () => ({ policy: 'loopback' }),
    }),
  });
  ifp.upIf();
  return ifp;
}
