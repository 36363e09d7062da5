import { IFF_OACTIVE, Simulation, alwaysUnmask } from '@ifnet/core';
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { addNic, ipv4Frame, makePlatform } from './helpers.js';

const MAC = '02:00:00:00:00:01';

function rig(queues = 2, txEntries = 256) {
  const sim = new Simulation({ seed: 1 });
  const setup = makePlatform({ rxEntries: 64, txEntries });
  const nic = addNic(sim, setup, 'h', MAC, queues, { mitigationPolicy: alwaysUnmask });
  const sink = new FrameSink({ clock: sim.clock, capture: true });
  sink.attach(nic.dev);
  nic.ifp.upIf();
  sim.runUntilIdle();
  return { sim, nic, sink };
}

/** An IPv4/UDP packet of the flow sport → 9, framed by the caller's `ifp.output`. */
function outPacket(nic: ReturnType<typeof rig>['nic'], sport: number) {
  const f = ipv4Frame({ dst: '02:00:00:00:00:99', srcIp: '10.0.0.1', dstIp: '10.0.0.2', sport, dport: 9, len: 74 });
  const m = nic.host.pool.devget(f, 14, f.length - 14, null, 32)!;
  return m;
}

describe('ehea: error paths and the rest of the interface', () => {
  it('runts and oversize frames are dropped in the device and harvested by name', () => {
    const { sim, nic, sink } = rig();
    const frame = ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1' });
    sink.send(frame.subarray(0, 40));
    sink.send(ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1', len: 1600 }));
    sink.send(ipv4Frame({ dst: '02:00:00:00:00:77', srcIp: '10.0.0.2', dstIp: '10.0.0.1' })); // not for us
    sim.runUntilIdle();
    expect(nic.ifp.counters.drops).toMatchObject({ 'ehea.rx.runt': 1, 'ehea.rx.oversize': 1 });
    expect(nic.ifp.counters.ierrors).toBe(2);
    expect(nic.dev.stats).toMatchObject({ rxUndersize: 1, rxOversize: 1, rxFiltered: 1, rxDelivered: 0 });
  });

  it('promiscuous mode makes the device accept other unicast addresses (Ethernet keeps them from IPv4)', () => {
    const { sim, nic, sink } = rig();
    const other = ipv4Frame({ dst: '02:00:00:00:00:77', srcIp: '10.0.0.2', dstIp: '10.0.0.1' });
    sink.send(other);
    nic.ifp.setPromiscuous(true);
    sink.send(other);
    sim.runUntilIdle();
    expect(nic.dev.stats).toMatchObject({ rxFiltered: 1, rxDelivered: 1 });
    expect(nic.ifp.counters.ipackets).toBe(1);
    nic.ifp.setPromiscuous(false);
    sink.send(other);
    expect(nic.dev.stats.rxFiltered).toBe(2);
  });

  it('link changes reach the interface through queue 0’s event queue', () => {
    const { sim, nic, sink } = rig();
    expect(nic.ifp.linkState).toBe('up');
    const changes = nic.sc.events['ehea.link.changes'];
    sink.setCarrier(false);
    sim.runUntilIdle();
    expect(nic.ifp.linkState).toBe('down');
    sink.setCarrier(true);
    sim.runUntilIdle();
    expect(nic.ifp.linkState).toBe('up');
    expect(nic.sc.events['ehea.link.changes']).toBe(changes + 2);
  });

  it('transmit: a full send queue sets OACTIVE, the poll reclaims outside the budget and restarts output', () => {
    const { sim, nic, sink } = rig(1, 8);
    for (let i = 0; i < 20; i++) nic.ifp.output(outPacket(nic, 1000 + i), 0x0800, new Uint8Array(6).fill(0x02));
    expect(nic.ifp.flags & IFF_OACTIVE).toBe(IFF_OACTIVE);
    expect(nic.sc.events['ehea.tx.ring-full']).toBe(1);
    sim.runUntilIdle();
    expect(sink.frames).toHaveLength(20);
    expect(nic.ifp.flags & IFF_OACTIVE).toBe(0);
    expect(nic.sc.queues[0].stats.txCompletions).toBe(20);
    expect(nic.ifp.pollContexts[0].stats.work).toBe(0); // reclaiming is not receive work
    expect(nic.ifp.watchdogTimer).toBe(0);
    expect(nic.ifp.counters.opackets).toBe(20);
  });

  it('transmit spreads flows over the send queues by their hash; a packet’s own hash is honoured', () => {
    const { sim, nic, sink } = rig(4);
    for (let i = 0; i < 64; i++) nic.ifp.output(outPacket(nic, 1000 + i), 0x0800, new Uint8Array(6).fill(0x02));
    const pinned = outPacket(nic, 5);
    pinned.pkthdr.flowHash = 0xffff_ffff; // top bits pick the last queue
    pinned.pkthdr.flowHashType = 63;
    nic.ifp.output(pinned, 0x0800, new Uint8Array(6).fill(0x02));
    sim.runUntilIdle();
    expect(sink.frames).toHaveLength(65);
    const perQueue = nic.sc.queues.map((q) => q.stats.txPackets);
    expect(perQueue.every((n) => n >= 8)).toBe(true);
    expect(nic.dev.queues.map((q) => q.stats.txFrames)).toEqual(perQueue);
    // Non-IP goes to queue 0.
    const before = nic.sc.queues[0].stats.txPackets;
    nic.ifp.output(outPacket(nic, 7), 0x88b5, new Uint8Array(6).fill(0x02));
    sim.runUntilIdle();
    expect(nic.sc.queues[0].stats.txPackets).toBe(before + 1);
  });

  it('detach brings the interface down, frees everything and releases the lines', async () => {
    const { sim, nic, sink } = rig(2);
    sink.send(ipv4Frame({ dst: MAC, srcIp: '10.0.0.2', dstIp: '10.0.0.1' }));
    sim.runUntilIdle();
    await nic.sc.detach?.();
    expect(nic.host.interfaces).toHaveLength(0);
    nic.host.pool.assertQuiescent();
    expect(nic.host.cpu.intr.sources.filter((s) => s.handler !== undefined && s.name.includes('pci0'))).toHaveLength(0);
  });
});
