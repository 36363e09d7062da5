import { IPPROTO_ICMP } from '@ifnet/inet';
import { icmpMessage, ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { EspDrop, XfrmInDrop, type XfrmPolicySpec } from '../src/index.js';
import { PEER, SPI, US, espPacket, espWorld, udpInner, udpSink } from './esp-helpers.js';

const tmpl = (over: Partial<NonNullable<XfrmPolicySpec['tmpl']>> = {}): XfrmPolicySpec['tmpl'] => ({
  src: PEER,
  dst: US,
  proto: 'esp',
  reqid: 1,
  mode: 'transport',
  ...over,
});

/** A host with the inbound SA from espWorld, a UDP socket on 4000 counting what it receives. */
function world() {
  const w = espWorld();
  const got = udpSink(w.host);
  const clear = (n: number, src = PEER) =>
    ipv4Packet({ src, dst: US, protocol: 17 }, udpInner(5000, 4000, new Uint8Array(n), src));
  let seq = 0;
  const esp = (n: number) => espPacket({ seq: ++seq, nextHeader: 17, inner: udpInner(5000, 4000, new Uint8Array(n)) });
  return { ...w, got, clear, esp };
}

describe('inbound policy enforcement (Linux __xfrm_policy_check, BSD ipsec4_in_reject)', () => {
  it('without inbound policies clear and ESP traffic are both delivered (nothing to enforce)', () => {
    const { sim, host, ep, ipsec, got, clear, esp } = world();
    ep.inject(clear(10));
    ep.inject(esp(11));
    sim.runUntilIdle();
    expect(got).toEqual([10, 11]);
    expect(ipsec.inPolicy.drops).toEqual({});
    host.pool.assertQuiescent();
  });

  it('a clear datagram a dir-in policy requires ESP for is a counted drop (XfrmInTmplMismatch); ESP passes', () => {
    const { sim, host, ep, ipsec, got, clear, esp } = world();
    ipsec.addPolicy({ src: PEER, dst: US, dir: 'in', tmpl: tmpl() });
    ep.inject(clear(10));
    ep.inject(esp(11));
    // A clear ping too: ICMP is covered by the same selector (Linux checks it in icmp_rcv).
    ep.inject(ipv4Packet({ src: PEER, dst: US, protocol: IPPROTO_ICMP }, icmpMessage(8, 0, 1, new Uint8Array(4))));
    // Another source, not covered by the policy: delivered in clear.
    ep.inject(clear(12, '10.0.0.3'));
    sim.runUntilIdle();
    expect(got).toEqual([11, 12]);
    expect(ipsec.inPolicy.drops).toEqual({ [XfrmInDrop.tmplMismatch]: 2 });
    expect(ep.ifp.counters.drops).toMatchObject({ [XfrmInDrop.tmplMismatch]: 2 });
    expect(ep.sent.length).toBe(0); // the clear ping was not answered
    host.pool.assertQuiescent();
  });

  it('ESP through an SA the template does not name (reqid, spi) is refused after decryption', () => {
    for (const t of [tmpl({ reqid: 2 }), tmpl({ spi: SPI + 1 })]) {
      const { sim, host, ep, ipsec, sa, got, esp } = world();
      ipsec.addPolicy({ src: PEER, dst: US, dir: 'in', tmpl: t });
      ep.inject(esp(20));
      sim.runUntilIdle();
      expect(got).toEqual([]);
      expect(ipsec.inPolicy.drops).toEqual({ [XfrmInDrop.tmplMismatch]: 1 });
      expect(ipsec.esp.drops).toEqual({});
      expect(ipsec.esp.stats).toMatchObject({ received: 1, delivered: 0, policyRejected: 1, inFlight: 0 });
      expect(sa.stats.policyReject).toBe(1);
      host.pool.assertQuiescent();
    }
  });

  it('the first covering policy decides: a narrower allow before a wider require lets one host in clear', () => {
    const { sim, host, ep, ipsec, got, clear } = world();
    ipsec.addPolicy({ src: '10.0.0.3', dst: US, dir: 'in' }); // no template: clear allowed
    ipsec.addPolicy({ src: '10.0.0.0/24', dst: US, dir: 'in', tmpl: tmpl({ src: '0.0.0.0' }) });
    ep.inject(clear(30, '10.0.0.3'));
    ep.inject(clear(31, PEER));
    sim.runUntilIdle();
    expect(got).toEqual([30]);
    expect(ipsec.inPolicy.drops).toEqual({ [XfrmInDrop.tmplMismatch]: 1 });
    host.pool.assertQuiescent();
  });

  it('action block drops clear and ESP alike (XfrmInPolBlock); setdefault in block drops what no policy covers (XfrmInNoPols)', () => {
    const { sim, host, ep, ipsec, got, clear, esp } = world();
    ipsec.addPolicy({ src: '10.0.0.3', dst: US, dir: 'in', action: 'block' });
    ipsec.addPolicy({ src: PEER, dst: US, dir: 'in', tmpl: tmpl() });
    ipsec.setDefaultPolicy('in', 'block');
    ep.inject(clear(40, '10.0.0.3'));
    ep.inject(clear(41, '10.0.0.4'));
    ep.inject(esp(42));
    sim.runUntilIdle();
    expect(got).toEqual([42]);
    expect(ipsec.inPolicy.drops).toEqual({ [XfrmInDrop.polBlock]: 1, [XfrmInDrop.noPolicy]: 1 });
    ipsec.setDefaultPolicy('in', 'accept');
    ep.inject(clear(43, '10.0.0.4'));
    sim.runUntilIdle();
    expect(got).toEqual([42, 43]);
    host.pool.assertQuiescent();
  });

  it('ESP packets themselves are never refused in clear: the check applies to what they carry', () => {
    const { sim, host, ep, ipsec, got } = world();
    ipsec.addPolicy({ src: PEER, dst: US, dir: 'in', tmpl: tmpl() });
    ipsec.setDefaultPolicy('in', 'block');
    // An ESP packet for an unknown SPI reaches ESP (counted there as esp.nosa), not the policy check.
    ep.inject(espPacket({ spi: SPI + 9, seq: 1, nextHeader: 17, inner: udpInner(5000, 4000, new Uint8Array(4)) }));
    sim.runUntilIdle();
    expect(got).toEqual([]);
    expect(ipsec.esp.drops).toEqual({ [EspDrop.noSa]: 1 });
    expect(ipsec.inPolicy.drops).toEqual({});
    host.pool.assertQuiescent();
  });
});
