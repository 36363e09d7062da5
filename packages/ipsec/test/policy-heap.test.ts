/**
 * Inbound policy enforcement allocates nothing per packet: clear UDP datagrams through IP input's security
 * hook to a socket (covered by an allow policy, after a non-matching one) and refused ones (a template
 * mismatch: counted and freed), against the same datagrams on the same host with no policy at all. V8's
 * young-generation growth through `@ifnet/benchkit`'s meter, on the virtual clock.
 */
import { measureSteadyHeap } from '@ifnet/benchkit';
import { nodeHeapProbe } from '@ifnet/benchkit/node';
import { type Mbuf, m_freem } from '@ifnet/core';
import { udpFor } from '@ifnet/inet';
import { ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { XfrmInDrop } from '../src/index.js';
import { PEER, US, espWorld, udpInner } from './esp-helpers.js';

const BATCH = 64;
const ROUNDS = 400;

describe('heap: inbound policy enforcement', () => {
  it('accepting and refusing clear datagrams adds no heap bytes per packet', async () => {
    const { sim, host, ep, ipsec } = espWorld();
    let got = 0;
    udpFor(host)
      .socket()
      .bind(4000)
      .onMessage((m: Mbuf) => {
        got++;
        m_freem(m);
      });
    const from = (src: string) =>
      ipv4Packet({ src, dst: US, protocol: 17 }, udpInner(5000, 4000, new Uint8Array(18), src, US));
    const allowed = from('10.0.0.3');
    const refused = from(PEER);
    let sent = 0;
    const round = (pkt: Uint8Array) => () => {
      sent += BATCH;
      for (let i = 0; i < BATCH; i++) ep.inject(pkt);
      sim.runUntilIdle();
    };
    const probe = nodeHeapProbe();
    // The steady state: after a policy is added the path is re-optimised, and until the optimising
    // compiler is done (later on a busy machine), baseline code boxes numbers per packet.
    const opts = { sampleEvery: 2 };
    const base = await measureSteadyHeap(probe, round(allowed), ROUNDS, opts);
    ipsec.addPolicy({ src: PEER, dst: US, dir: 'in', tmpl: { src: PEER, dst: US, proto: 'esp', mode: 'transport' } });
    ipsec.addPolicy({ src: '10.0.0.0/24', dst: US, dir: 'in' });
    const before = got;
    sent = 0;
    const accept = await measureSteadyHeap(probe, round(allowed), ROUNDS, opts);
    expect(got - before).toBe(sent); // every allowed datagram delivered, warm-up included
    sent = 0;
    const refuse = await measureSteadyHeap(probe, round(refused), ROUNDS, opts);
    expect(ipsec.inPolicy.drops[XfrmInDrop.tmplMismatch]).toBe(sent);
    // The median interval (not the mean): a stray allocation elsewhere in the process (the runner's
    // messages) lands in a few intervals and would read as bytes per packet; a per-packet one is in all.
    const perPacket = (c: { medianBytesPerIteration: number }) => c.medianBytesPerIteration / BATCH;
    // Less than one of the smallest heap objects (12 bytes) per packet beyond the baseline: none per packet.
    console.log(
      `policy heap: base ${perPacket(base).toFixed(2)} B/packet, accept ${perPacket(accept).toFixed(2)}, refuse ${perPacket(refuse).toFixed(2)} (windows to settle: ${base.windows}/${accept.windows}/${refuse.windows})`,
    );
    expect(perPacket(accept) - perPacket(base)).toBeLessThan(4);
    expect(perPacket(refuse) - perPacket(base)).toBeLessThan(4);
    host.pool.assertQuiescent();
  });
});
