import { IFF_ALLMULTI, IFF_PROMISC, M_BCAST, M_MCAST, M_VLANTAG, type Mbuf } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import {
  ETHER_BROADCAST,
  ETHERTYPE_IPV6,
  ETHERTYPE_VLAN,
  etherOutput,
  etherStats,
  parseMac,
  setNextHopResolver,
} from '../src/index.js';
import {
  BCAST,
  ETHERTYPE_TEST,
  MAC_A,
  MAC_B,
  channel,
  etherFrame,
  expectQuiescent,
  hex,
  packet,
  sink,
  taggedFrame,
  world,
} from './helpers.js';

const PAYLOAD = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const MCAST = parseMac('01:00:5e:00:00:fb');
const OTHER = parseMac('02:00:00:00:00:99');

function setup() {
  const { hosts } = world(1);
  const h = hosts[0];
  const got = sink(h, ETHERTYPE_TEST);
  const ch = channel(h, MAC_A);
  return { h, got, ch, ifp: ch.ifp };
}

describe('etherInput: destination filter', () => {
  it('delivers unicast to our address, with the header trimmed', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expect(got[0].bytes).toEqual(PAYLOAD);
    expect(got[0].off).toBe(0);
    expect(got[0].flags & (M_BCAST | M_MCAST)).toBe(0);
    expect(ifp.counters.ipackets).toBe(1);
    expect(ifp.counters.imcasts).toBe(0);
    expect(ifp.counters.drops).toEqual({});
    expect(etherStats(ifp)).toMatchObject({ rxAccepted: 1, rxUnicast: 1, rxBroadcast: 0, rxMulticast: 0 });
    expectQuiescent(h);
  });

  it('drops unicast to another station as ether.not-ours, also in promiscuous mode', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(etherFrame(OTHER, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    ifp.setPromiscuous(true);
    ch.inject(etherFrame(OTHER, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(0);
    expect(ifp.counters.drops).toEqual({ 'ether.not-ours': 2 });
    expect(ifp.counters.iqdrops).toBe(2);
    expectQuiescent(h);
  });

  it('compares the whole address: a frame differing from ours in any one byte is not ours', () => {
    const { h, got, ch, ifp } = setup();
    for (let i = 0; i < 6; i++) {
      const near = MAC_A.slice();
      near[i] ^= i === 0 ? 0x80 : 0x01; // stays unicast (the I/G bit of byte 0 untouched)
      ch.inject(etherFrame(near, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    }
    expect(got).toHaveLength(0);
    expect(ifp.counters.drops).toEqual({ 'ether.not-ours': 6 });
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expectQuiescent(h);
  });

  it('follows a change of the interface address (setLinkAddress): the old one is no longer ours', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    ifp.setLinkAddress(OTHER);
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    ch.inject(etherFrame(OTHER, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(2);
    expect(ifp.counters.drops).toEqual({ 'ether.not-ours': 1 });
    expect(etherStats(ifp).rxUnicast).toBe(2);
    expectQuiescent(h);
  });

  it('delivers broadcast with M_BCAST and counts it as imcasts once', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(etherFrame(BCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expect(got[0].flags & M_BCAST).toBe(M_BCAST);
    expect(ifp.counters.imcasts).toBe(1);
    expect(etherStats(ifp).rxBroadcast).toBe(1);
    // A driver that already flagged it: if_input counted it, ether_input does not count it again.
    const m = packet(h.pool, etherFrame(BCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD))!;
    m.flags |= M_BCAST;
    ifp.input(m);
    expect(ifp.counters.imcasts).toBe(2);
    expectQuiescent(h);
  });

  it('filters multicast groups not joined; delivers joined ones, and all with IFF_ALLMULTI or IFF_PROMISC', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(etherFrame(MCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(0);
    expect(ifp.counters.drops).toEqual({ 'ether.mcast-filtered': 1 });

    ifp.joinMulticast(MCAST);
    ch.inject(etherFrame(MCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expect(got[0].flags & M_MCAST).toBe(M_MCAST);
    ifp.leaveMulticast(MCAST);

    ifp.flags |= IFF_ALLMULTI;
    ch.inject(etherFrame(MCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(2);
    ifp.flags &= ~IFF_ALLMULTI;

    ifp.flags |= IFF_PROMISC;
    ch.inject(etherFrame(parseMac('33:33:00:00:00:01'), MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(3);
    ifp.flags &= ~IFF_PROMISC;

    ch.inject(etherFrame(MCAST, MAC_B, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(3);
    expect(ifp.counters.drops).toEqual({ 'ether.mcast-filtered': 2 });
    expect(ifp.counters.imcasts).toBe(3);
    expect(etherStats(ifp).rxMulticast).toBe(3);
    expectQuiescent(h);
  });
});

describe('etherInput: validation and classification', () => {
  it('counts runts, giants and group source addresses', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(new Uint8Array(13));
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, new Uint8Array(1504))); // 1518: 1500 + 4 allowed
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, new Uint8Array(1505)));
    ch.inject(etherFrame(MAC_A, MCAST, ETHERTYPE_TEST, PAYLOAD));
    ch.inject(etherFrame(MAC_A, BCAST, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expect(ifp.counters.drops).toEqual({ 'ether.runt': 1, 'ether.giant': 1, 'ether.bad-src': 2 });
    expect(ifp.counters.iqdrops).toBe(4);
    expectQuiescent(h);
  });

  it('counts an unregistered ethertype as noproto', () => {
    const { h, ch, ifp } = setup();
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_IPV6, PAYLOAD));
    expect(ifp.counters.noproto).toBe(1);
    expect(ifp.counters.iqdrops).toBe(0);
    expect(ifp.counters.drops).toEqual({ 'ether.noproto': 1 });
    expect(etherStats(ifp).rxAccepted).toBe(1);
    expectQuiescent(h);
  });

  it('counts 802.3 length frames (LLC) as noproto and rejects 1501..1535', () => {
    const { h, ch, ifp } = setup();
    // 802.3 + LLC (DSAP 0x42, SSAP 0x42, UI): a spanning-tree BPDU's header.
    ch.inject(etherFrame(parseMac('01:80:c2:00:00:00'), MAC_B, 0x0026, new Uint8Array([0x42, 0x42, 0x03, 0, 0])));
    ifp.flags |= IFF_ALLMULTI;
    ch.inject(etherFrame(parseMac('01:80:c2:00:00:00'), MAC_B, 0x0026, new Uint8Array([0x42, 0x42, 0x03, 0, 0])));
    ch.inject(etherFrame(MAC_A, MAC_B, 1500, PAYLOAD));
    ch.inject(etherFrame(MAC_A, MAC_B, 0x05ff, PAYLOAD));
    expect(ifp.counters.drops).toEqual({ 'ether.mcast-filtered': 1, 'ether.8023-llc': 2, 'ether.bad-type': 1 });
    expect(ifp.counters.noproto).toBe(2);
    expect(etherStats(ifp).rxLlc).toBe(2);
    expectQuiescent(h);
  });

  it('recognises 802.1Q frames: tagged ones are counted as ether.vlan-tagged when nothing handles 0x8100', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(taggedFrame(MAC_A, MAC_B, (3 << 13) | 5, ETHERTYPE_TEST, PAYLOAD));
    ch.inject(taggedFrame(MAC_A, MAC_B, 7, ETHERTYPE_TEST, PAYLOAD, 0x88a8)); // 802.1ad outer tag
    ch.inject(etherFrame(MAC_A, MAC_B, ETHERTYPE_VLAN, new Uint8Array([0, 5]))); // 16 bytes: tag cut short
    expect(got).toHaveLength(0);
    expect(ifp.counters.drops).toEqual({ 'ether.vlan-tagged': 2, 'ether.vlan-runt': 1 });
    expect(ifp.counters.noproto).toBe(2);
    expect(etherStats(ifp).rxVlanTagged).toBe(3);
    expectQuiescent(h);
  });

  it('delivers priority-tagged frames (VID 0) by their inner type, the tag in the packet header', () => {
    const { h, got, ch, ifp } = setup();
    ch.inject(taggedFrame(MAC_A, MAC_B, 5 << 13, ETHERTYPE_TEST, PAYLOAD));
    expect(got).toHaveLength(1);
    expect(got[0].bytes).toEqual(PAYLOAD);
    expect(got[0].flags & M_VLANTAG).toBe(M_VLANTAG);
    expect(got[0].vlanTag).toBe(5 << 13);
    expect(etherStats(ifp)).toMatchObject({ rxVlanTagged: 1, rxPriorityTagged: 1 });
    expectQuiescent(h);
  });

  it('counts a tag stripped by the hardware (M_VLANTAG, VID != 0) as ether.vlan-tagged', () => {
    const { h, got, ifp } = setup();
    const m = packet(h.pool, etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD))!;
    m.flags |= M_VLANTAG;
    m.pkthdr.vlanTag = 42;
    ifp.input(m);
    expect(got).toHaveLength(0);
    expect(ifp.counters.drops).toEqual({ 'ether.vlan-tagged': 1 });
    expectQuiescent(h);
  });

  it('hands tagged frames to a protocol registered for 0x8100, TCI at offset 0', () => {
    const { h, ch } = setup();
    const vlan = sink(h, ETHERTYPE_VLAN, 'vlan');
    ch.inject(taggedFrame(MAC_A, MAC_B, 0x0123, ETHERTYPE_TEST, PAYLOAD));
    expect(vlan).toHaveLength(1);
    expect(hex(vlan[0].bytes.subarray(0, 4))).toBe('01 23 88 b5');
    expectQuiescent(h);
  });

  it('reads a header split across mbufs (pullup)', () => {
    const { h, got, ch } = setup();
    const frame = etherFrame(MAC_A, MAC_B, ETHERTYPE_TEST, PAYLOAD);
    for (const chunk of [1, 5, 13]) ch.inject(frame, chunk);
    ch.inject(taggedFrame(MAC_A, MAC_B, 0, ETHERTYPE_TEST, PAYLOAD), 15);
    expect(got.map((d) => hex(d.bytes))).toEqual(Array(4).fill(hex(PAYLOAD)));
    expectQuiescent(h);
  });
});

describe('etherOutput: framing', () => {
  function payload(h: ReturnType<typeof setup>['h'], n = PAYLOAD.length): Mbuf {
    return h.pool.devget(new Uint8Array(n).fill(0xab), 0, n, null, 16)!;
  }

  it('prepends destination, our address and the type, and queues the frame', () => {
    const { h, ch, ifp } = setup();
    expect(ifp.output(payload(h, 4), ETHERTYPE_TEST, MAC_B)).toBe(true);
    expect(ch.sent.map(hex)).toEqual([`${hex(MAC_B)} ${hex(MAC_A)} 88 b5 ab ab ab ab`]);
    expect(ifp.counters.omcasts).toBe(0);
    expect(ifp.output(payload(h, 1), ETHERTYPE_TEST, ETHER_BROADCAST)).toBe(true);
    expect(ifp.output(payload(h, 1), ETHERTYPE_TEST, MCAST)).toBe(true);
    expect(ch.sent.map((f) => f.length)).toEqual([18, 15, 15]);
    expect(ifp.counters.omcasts).toBe(2);
    expect(etherStats(ifp)).toMatchObject({ txFramed: 3, txBroadcast: 1, txMulticast: 1 });
    expectQuiescent(h);
  });

  it('prepends into a new mbuf when there is no leading space', () => {
    const { h, ch, ifp } = setup();
    const m = h.pool.devget(PAYLOAD, 0, PAYLOAD.length, null)!;
    expect(ifp.output(m, ETHERTYPE_TEST, MAC_B)).toBe(true);
    expect(ch.sent[0]).toEqual(etherFrame(MAC_B, MAC_A, ETHERTYPE_TEST, PAYLOAD));
    expectQuiescent(h);
  });

  it('counts every refusal: bad destination, no resolver, MTU, bad type, interface down', async () => {
    const { h, ch, ifp } = setup();
    expect(ifp.output(payload(h), ETHERTYPE_TEST, new Uint8Array(4))).toBe(false);
    expect(ifp.output(payload(h), ETHERTYPE_IPV6, 'fe80::1')).toBe(false);
    expect(ifp.output(payload(h, 1501), ETHERTYPE_TEST, MAC_B)).toBe(false);
    expect(ifp.output(payload(h, 1504), ETHERTYPE_VLAN, MAC_B)).toBe(true); // a tag's 4 bytes allowed
    expect(ifp.output(payload(h), 0x0100, MAC_B)).toBe(false);
    await ifp.down();
    expect(ifp.output(payload(h), ETHERTYPE_TEST, MAC_B)).toBe(false);
    expect(ch.sent).toHaveLength(1);
    expect(ifp.counters.drops).toEqual({
      'ether.bad-dst': 1,
      'ether.no-resolver': 1,
      'ether.mtu': 1,
      'ether.bad-type': 1,
      'output.down': 1,
    });
    expect(ifp.counters.oqdrops).toBe(5);
    expectQuiescent(h);
  });

  it('asks the resolver registered for the protocol; a null answer means it took the packet', () => {
    const { h, ch, ifp } = setup();
    const held: Mbuf[] = [];
    setNextHopResolver(h, ETHERTYPE_IPV6, (_ifp, m, dst) => {
      if (dst === 'known') return MAC_B;
      held.push(m);
      return null;
    });
    expect(() => setNextHopResolver(h, ETHERTYPE_IPV6, () => null)).toThrow(/already set/);
    expect(etherOutput(ifp, payload(h, 2), ETHERTYPE_IPV6, 'known')).toBe(true);
    expect(etherOutput(ifp, payload(h, 2), ETHERTYPE_IPV6, 'unknown')).toBe(true);
    expect(ch.sent.map(hex)).toEqual([`${hex(MAC_B)} ${hex(MAC_A)} 86 dd ab ab`]);
    expect(held).toHaveLength(1);
    h.pool.freem(held[0]);
    expectQuiescent(h);
  });
});
