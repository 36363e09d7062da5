import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulation } from '@ifnet/core';
import { ping } from '@ifnet/inet';
import { FrameSink, VirtualCable } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { PcapReader, PcapReplaySource, PcapWriter, readPcap, tapDevice, tapInterface } from '../src/index.js';
import { memorySink, twoHosts } from './helpers.js';

const etherType = (d: Uint8Array) => (d[12] << 8) | d[13];

describe('taps', () => {
  it('a wire tap records both directions of a link, stamped with the clock', async () => {
    const { sim, a, b, up } = twoHosts();
    const sink = memorySink();
    const pcap = new PcapWriter({ sink, clock: sim.clock });
    const tap = tapDevice(a.dev, pcap);
    new VirtualCable(sim.clock, { bitRate: 1e9, delay: 500 }).connect(tap, b.dev);
    up();
    sim.runUntilIdle();
    const before = pcap.stats.packets;
    const reply = ping(a.host, '192.0.2.2', { size: 56 });
    sim.runUntilIdle();
    await reply;
    pcap.close();
    const { records } = readPcap(sink.bytes());
    expect(records.length).toBe(pcap.stats.packets);
    const after = records.slice(before);
    // ARP request and reply, ICMP echo request and reply (98 bytes each), in time order.
    expect(after.map((r) => etherType(r.data))).toEqual([0x0806, 0x0806, 0x0800, 0x0800]);
    expect(after.slice(2).map((r) => r.caplen)).toEqual([98, 98]);
    const times = after.map((r) => r.sec * 1e9 + r.nsec);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times[3] - times[2]).toBeGreaterThan(1000); // two cable crossings of 500 ns + serialisation
    expect(tap.framesIn + tap.framesOut).toBe(pcap.stats.packets);
  });

  it('an interface tap records what if_input sees and what the driver takes off the send queue', async () => {
    const { sim, a, b, up } = twoHosts();
    new VirtualCable(sim.clock).connect(a.dev, b.dev);
    up();
    sim.runUntilIdle();
    const sink = memorySink();
    const pcap = new PcapWriter({ sink, clock: sim.clock });
    const untap = tapInterface(b.ifp, pcap);
    const reply = ping(a.host, '192.0.2.2', { size: 3000 }); // 3 fragments each way
    sim.runUntilIdle();
    expect((await reply).bytes).toBe(3000);
    untap();
    const again = ping(a.host, '192.0.2.2');
    sim.runUntilIdle();
    await again;
    pcap.close();
    const { records } = readPcap(sink.bytes());
    const ip = records.filter((r) => etherType(r.data) === 0x0800);
    expect(ip).toHaveLength(6);
    expect(b.ifp.sendQueue.name).toBe('fifo');
    expect(b.ifp.inputHook).toBeUndefined();
  });

  it('replays a capture into a device at its recorded pace, or as fast as possible', async () => {
    // Record a's side of a conversation...
    const first = twoHosts();
    const sink = memorySink();
    const pcap = new PcapWriter({ sink, clock: first.sim.clock });
    const cable = new VirtualCable(first.sim.clock);
    cable.connect(tapDevice(first.a.dev, pcap), first.b.dev);
    first.up();
    for (let seq = 0; seq < 3; seq++) {
      const p = ping(first.a.host, '192.0.2.2', { seq });
      first.sim.runUntilIdle();
      await p;
      first.sim.runFor(5_000_000); // a gap
    }
    pcap.close();
    const bytes = sink.bytes();
    const original = readPcap(bytes).records.filter((r) => r.data[6] === 0x02 && r.data[11] === 0x01); // from a
    const [head] = readPcap(bytes).records;
    const t0 = head.sec * 1e9 + head.nsec; // the replay's time zero: the file's first record

    // ...and play it at a sink on a fresh clock: same gaps.
    for (const pace of ['recorded', 'asap'] as const) {
      const second = { sim: new Simulation({ seed: 9 }) }; // no hosts: nothing else moves the clock
      const got = new FrameSink({ clock: second.sim.clock });
      const replay = new PcapReplaySource(second.sim.clock, { reader: new PcapReader(bytes), pace });
      const fromA: number[] = [];
      new VirtualCable(second.sim.clock, { bitRate: Number.POSITIVE_INFINITY, delay: 0 }).connect(replay, got);
      replay.start(1000);
      second.sim.runUntilIdle(1000e9); // the capture spans minutes of simulated time
      for (const f of got.frames) if (f.bytes[6] === 0x02 && f.bytes[11] === 0x01) fromA.push(f.at);
      expect(replay.offered).toBe(readPcap(bytes).records.length);
      expect(replay.active).toBe(false);
      if (pace === 'recorded') {
        expect(fromA.map((t) => Math.round(t - 1000))).toEqual(
          original.map((r) => Math.round(r.sec * 1e9 + r.nsec - t0)),
        );
      } else {
        expect(new Set(fromA).size).toBe(1); // all at the start instant
      }
    }
  });
});

describe('platform neutrality', () => {
  it('uses no Node-only API outside src/node', () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) {
          if (e !== 'node') walk(p);
        } else files.push(p);
      }
    };
    walk(src);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/from 'node:|require\(|\bBuffer\b|process\./);
    }
  });
});
