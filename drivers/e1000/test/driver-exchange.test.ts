import { IFF_OACTIVE, IFF_RUNNING, Simulation, alwaysUnmask } from '@ifnet/core';
import { FrameSink, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { E1000_IDS, e1000Driver, wmMatch } from '../src/index.js';
import { ETHERTYPE_EXP, type HostOptionsLite, addNic, mac, makePlatform, packet } from './driver-helpers.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

function pair(options: Parameters<typeof makePlatform>[0] = {}, hostOptions: HostOptionsLite = {}) {
  const sim = new Simulation({ seed: 7 });
  const setup = makePlatform(options);
  const a = addNic(sim, setup, 'a', A, hostOptions);
  const b = addNic(sim, setup, 'b', B, hostOptions);
  const cable = new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(a.dev, b.dev);
  a.ifp.upIf();
  b.ifp.upIf();
  return { sim, setup, a, b, cable };
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('wm: autoconfiguration and attach', () => {
  it('matches Intel 8254x ids only', () => {
    expect(e1000Driver.name).toBe('wm');
    expect(wmMatch({ vendor: 0x8086, device: 0x100e, deviceClass: 'network' })).toBe(1);
    expect(wmMatch({ vendor: 0x8086, device: 0x10d3, deviceClass: 'network' })).toBe(0);
    expect(wmMatch({ vendor: 0x10ec, device: 0x100e, deviceClass: 'network' })).toBe(0);
    expect(E1000_IDS.map((i) => i.device)).toContain(0x100e);
  });

  it('attaches wm0 with the EEPROM MAC, a link state from STATUS, and interrupts masked until up', () => {
    const sim = new Simulation();
    const setup = makePlatform();
    const nic = addNic(sim, setup, 'h', A);
    expect(nic.ifp.name).toBe('wm0');
    expect(Array.from(nic.ifp.lladdr)).toEqual(Array.from(mac(A)));
    expect(nic.ifp.linkState).toBe('down'); // no wire yet
    expect(nic.ifp.mtu).toBe(1500);
    expect(nic.ifp.maxMtu).toBe(9000);
    const sink = new FrameSink();
    sink.attach(nic.dev);
    nic.ifp.upIf();
    expect(nic.ifp.linkState).toBe('up');
    expect(nic.ifp.flags & IFF_RUNNING).toBe(IFF_RUNNING);
    expect(nic.sc.rxBuffers).toBe(255); // 256 descriptors, one kept empty
    expect(nic.host.pool.stats.clusters.inUse).toBe(255);
  });
});

describe('wm: two hosts over a virtual cable', () => {
  it('exchanges frames both ways through if_output, the rings and ether dispatch to 0x88B5', () => {
    const { sim, setup, a, b } = pair();
    expect(a.ifp.output(packet(a.host, text('hello from a')), ETHERTYPE_EXP, mac(B))).toBe(true);
    expect(b.ifp.output(packet(b.host, text('hello from b')), ETHERTYPE_EXP, mac(A))).toBe(true);
    sim.runFor(1_000_000);
    const la = setup.proto.log(a.host);
    const lb = setup.proto.log(b.host);
    // The payload comes back padded to the 46-byte minimum by the sender's PSP.
    expect(lb.payloads.map((p) => [p.ifname, str(p.bytes.subarray(0, 12))])).toEqual([['wm0', 'hello from a']]);
    expect(lb.payloads[0].bytes.length).toBe(46);
    expect(la.payloads.map((p) => str(p.bytes.subarray(0, 12)))).toEqual(['hello from b']);
    for (const n of [a, b]) {
      expect(n.ifp.counters).toMatchObject({ ipackets: 1, ibytes: 60, opackets: 1, obytes: 26, ierrors: 0 });
      expect(n.ifp.counters.drops).toEqual({});
    }
    expect(a.dev.stats).toMatchObject({ txFrames: 1, rxDelivered: 1, rxMissed: 0 });
  });

  it('delivers at a deterministic virtual time: output, DMA, wire, interrupt, poll, input', () => {
    const run = () => {
      const { sim, setup, a, b } = pair();
      sim.runUntil(1_000_000);
      a.ifp.output(packet(a.host, text('x')), ETHERTYPE_EXP, mac(B));
      sim.runFor(1_000_000);
      return { at: setup.proto.log(b.host).payloads[0].at, interrupts: b.ifp.counters.interrupts };
    };
    const first = run();
    expect(run()).toEqual(first);
    // Sender a (default costs): ether framing 150 + driverTx 300, then the TDT write reaches the device at
    // 1,000,450; the 60-byte frame is on b's port (8 + 60 + 4) × 8 + 500 ns later: 1,001,526.
    // Meanwhile a takes its TXDW interrupt and its register accesses push the clock frontier further, but
    // idle host b starts when its own line went up (the hardware event time), not at that frontier.
    // Receiver b from 1,001,526: interrupt entry 1500, ICR read 100, IMC write 100, exit 500, poll
    // continuation 200, ICR read 100, driverRx 300, if_input 100, ether 150 = 3050 → 1,004,576.
    expect(first).toEqual({ at: 1_004_576, interrupts: 1 });
  });

  it('carries a burst larger than the transmit ring: IFF_OACTIVE, requeue, reclaim, restart', () => {
    // Interrupt per completion (no tick-mode switch): this test is about the transmit ring, not the policy.
    const { sim, setup, a, b } = pair({ txDescriptors: 16 }, { mitigationPolicy: alwaysUnmask });
    // 1400-byte payloads take 11.4 µs each on the wire: the CPU fills the ring much faster (the send
    // queue holds 50).
    const big = (i: number) => {
      const p = new Uint8Array(1400);
      p.set(text(`pkt ${i}`));
      return p;
    };
    for (let i = 0; i < 40; i++) {
      expect(a.ifp.output(packet(a.host, big(i)), ETHERTYPE_EXP, mac(B))).toBe(true);
    }
    expect(a.ifp.flags & IFF_OACTIVE).toBe(IFF_OACTIVE);
    expect(a.sc.txInFlight).toBe(15);
    sim.runFor(10_000_000);
    const got = setup.proto.log(b.host).payloads.map((p) => str(p.bytes.subarray(0, p.bytes.indexOf(0))));
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `pkt ${i}`));
    expect(a.ifp.flags & IFF_OACTIVE).toBe(0);
    expect(a.sc.events['wm.tx.ring-full']).toBeGreaterThan(0);
    expect(a.ifp.counters.opackets).toBe(40);
    expect(a.sc.txInFlight).toBe(0);
    expect(a.ifp.watchdogTimer).toBe(0);
  });

  it('sends a multi-mbuf chain as one frame (one descriptor per mbuf)', () => {
    const { sim, setup, a, b } = pair();
    const m = packet(a.host, text('head-'));
    const m2 = a.host.pool.get()!;
    m2.buf.set(text('tail'), 0);
    m2.len = 4;
    m.next = m2;
    m.pkthdr.len = 9;
    a.ifp.output(m, ETHERTYPE_EXP, mac(B));
    sim.runFor(1_000_000);
    expect(str(setup.proto.log(b.host).payloads[0].bytes.subarray(0, 9))).toBe('head-tail');
  });

  it('carries jumbo frames with MTU 9000: LPE, a chain of clusters on receive', () => {
    const { sim, setup, a, b } = pair();
    a.ifp.setMtu(9000);
    b.ifp.setMtu(9000);
    const payload = new Uint8Array(9000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    // Build the 9000-byte packet as a chain of clusters.
    const head = a.host.pool.getcl()!;
    head.off = 64;
    let cur = head;
    let left = payload.length;
    let pos = 0;
    while (left > 0) {
      const n = Math.min(left, cur.capacity - cur.off);
      cur.buf.set(payload.subarray(pos, pos + n), cur.off);
      cur.len = n;
      pos += n;
      left -= n;
      if (left > 0) {
        const nx = a.host.pool.get()!;
        a.host.pool.clget(nx);
        cur.next = nx;
        cur = nx;
      }
    }
    head.pkthdr.len = payload.length;
    expect(a.ifp.output(head, ETHERTYPE_EXP, mac(B))).toBe(true);
    sim.runFor(1_000_000);
    const got = setup.proto.log(b.host).payloads;
    expect(got.length).toBe(1);
    expect(got[0].bytes).toEqual(payload);
    expect(b.ifp.counters.ibytes).toBe(9014);
    expect(b.dev.stats.rxDelivered).toBe(1);
    // Back to 1500: a jumbo frame is now oversize at the receiver, dropped and counted by the device.
    b.ifp.setMtu(1500);
    const again = a.host.pool.getcl()!;
    again.len = 2000;
    again.pkthdr.len = 2000;
    a.ifp.output(again, ETHERTYPE_EXP, mac(B));
    sim.runFor(1_000_000);
    expect(b.dev.stats.rxOversize).toBe(1);
  });

  it('reports link changes from the cable through LSC to ifp.setLinkState', () => {
    const { sim, a, b, cable } = pair();
    const seen: string[] = [];
    a.ifp.onLinkState((ifp, s) => seen.push(`${ifp.host.name}:${s}`));
    b.ifp.onLinkState((ifp, s) => seen.push(`${ifp.host.name}:${s}`));
    sim.runFor(1_000_000);
    cable.unplug();
    sim.runFor(1_000_000);
    expect([a.ifp.linkState, b.ifp.linkState]).toEqual(['down', 'down']);
    cable.plug();
    sim.runFor(1_000_000);
    expect(seen).toEqual(['a:down', 'b:down', 'a:up', 'b:up']);
    expect(a.sc.events['wm.link.changes']).toBe(3); // up at init, down, up
  });

  it('changes the MAC address (RAL0/RAH0): frames to the old address are filtered in the device', () => {
    const { sim, setup, a, b } = pair();
    b.ifp.setLinkAddress(mac('02:00:00:00:00:bb'));
    a.ifp.output(packet(a.host, text('old')), ETHERTYPE_EXP, mac(B));
    a.ifp.output(packet(a.host, text('new')), ETHERTYPE_EXP, mac('02:00:00:00:00:bb'));
    sim.runFor(1_000_000);
    expect(setup.proto.log(b.host).payloads.map((p) => str(p.bytes.subarray(0, 3)))).toEqual(['new']);
    expect(b.dev.stats.rxFiltered).toBe(1);
  });

  it('promiscuous mode and multicast groups program RCTL.UPE/MPE and the MTA', () => {
    const { sim, setup, a, b } = pair();
    const other = mac('02:00:00:00:00:99');
    const group = mac('01:00:5e:01:02:03');
    a.ifp.output(packet(a.host, text('to-other')), ETHERTYPE_EXP, other);
    a.ifp.output(packet(a.host, text('to-group')), ETHERTYPE_EXP, group);
    sim.runFor(1_000_000);
    expect(b.dev.stats.rxFiltered).toBe(2);
    b.ifp.joinMulticast(group);
    b.ifp.setPromiscuous(true);
    a.ifp.output(packet(a.host, text('to-other')), ETHERTYPE_EXP, other);
    a.ifp.output(packet(a.host, text('to-group')), ETHERTYPE_EXP, group);
    sim.runFor(1_000_000);
    // The device passes both now; ether drops the unicast for another station in software.
    expect(b.dev.stats.rxFiltered).toBe(2);
    expect(b.ifp.counters.drops).toEqual({ 'ether.not-ours': 1 });
    expect(setup.proto.log(b.host).payloads.map((p) => str(p.bytes.subarray(0, 8)))).toEqual(['to-group']);
    expect(b.ifp.counters.imcasts).toBe(1);
    b.ifp.setPromiscuous(false);
    a.ifp.output(packet(a.host, text('to-other')), ETHERTYPE_EXP, other);
    a.ifp.output(packet(a.host, text('to-group')), ETHERTYPE_EXP, group);
    sim.runFor(1_000_000);
    expect(b.dev.stats.rxFiltered).toBe(3); // the group still passes the MTA
    expect(setup.proto.log(b.host).packets).toBe(2);
    b.ifp.leaveMulticast(group);
    a.ifp.output(packet(a.host, text('to-group')), ETHERTYPE_EXP, group);
    sim.runFor(1_000_000);
    expect(b.dev.stats.rxFiltered).toBe(4);
  });

  it('down() frees every mbuf of the rings; up again works; pools balance', async () => {
    const { sim, setup, a, b } = pair();
    a.ifp.output(packet(a.host, text('one')), ETHERTYPE_EXP, mac(B));
    sim.runFor(1_000_000);
    await a.ifp.down();
    await b.ifp.down();
    a.host.pool.assertQuiescent();
    b.host.pool.assertQuiescent();
    a.ifp.upIf();
    b.ifp.upIf();
    a.ifp.output(packet(a.host, text('two')), ETHERTYPE_EXP, mac(B));
    sim.runFor(1_000_000);
    expect(setup.proto.log(b.host).packets).toBe(2);
    await a.ifp.down();
    await b.ifp.down();
    a.host.pool.assertQuiescent();
    b.host.pool.assertQuiescent();
  });
});
