import { Simulation } from '@ifnet/core';
import { VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { ETHERTYPE_EXP, addNe, drops, mac, makePlatform, packet } from './driver-helpers.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

function pair(options = {}) {
  const sim = new Simulation({ seed: 2 });
  const setup = makePlatform(options);
  const a = addNe(sim, setup, 'a', A);
  const b = addNe(sim, setup, 'b', B);
  const cable = new VirtualCable(sim.clock, { bitRate: 10e6, delay: 500 }).connect(a.dev, b.dev);
  a.ifp.upIf();
  b.ifp.upIf();
  return { sim, setup, a, b, cable };
}

describe('ne: attach and exchange', () => {
  it('attaches by 10EC:8029, reads the MAC from the PROM, finds 16 KiB, sizes the ring', () => {
    const { a } = pair();
    expect(a.ifp.name).toBe('ne0');
    expect(Array.from(a.ifp.lladdr)).toEqual(Array.from(mac(A)));
    expect(a.sc.ramEndPage).toBe(0x80);
    expect([a.sc.rxStart, a.sc.rxStop]).toEqual([0x4c, 0x80]);
    expect(a.sc.ctx.capacity).toBe(51);
  });

  it('finds 32 KiB of card memory by probing', () => {
    const sim = new Simulation();
    const nic = addNe(sim, makePlatform(), 'h', A, {}, { memoryKiB: 32 });
    expect(nic.sc.ramEndPage).toBe(0xc0);
  });

  it('exchanges frames both ways: PIO into pre-allocated mbufs, the completed queue, if_input', () => {
    const { sim, setup, a, b } = pair();
    const sizes = [1, 46, 100, 1000, 1500];
    for (const n of sizes) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      a.ifp.output(packet(a.host, payload), ETHERTYPE_EXP, mac(B));
      b.ifp.output(packet(b.host, payload), ETHERTYPE_EXP, mac(A));
    }
    sim.runUntilIdle();
    for (const [nic, log] of [
      [a, setup.log(a.host)],
      [b, setup.log(b.host)],
    ] as const) {
      expect(log.packets).toBe(sizes.length);
      // Short frames arrive padded to 60 bytes: 46 bytes of payload at least.
      expect(log.payloads.map((p) => p.length)).toEqual([46, 46, 100, 1000, 1500]);
      expect(log.payloads[3]).toEqual(Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 1000) & 0xff));
      expect(nic.ifp.counters.opackets).toBe(5);
      expect(nic.ifp.counters.ipackets).toBe(5);
      expect(drops(nic.ifp)).toBe(0);
    }
  });

  it('down() frees every pre-allocated mbuf: the pool balances', async () => {
    const { sim, a, b } = pair();
    a.ifp.output(packet(a.host, new Uint8Array(100)), ETHERTYPE_EXP, mac(B));
    sim.runUntilIdle();
    for (const nic of [a, b]) {
      await nic.ifp.down();
      nic.host.pool.assertQuiescent();
    }
  });
});
