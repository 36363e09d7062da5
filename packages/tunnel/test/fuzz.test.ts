import { Simulation, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { inetFor, registerInet } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UdpTunnel, parseUdpEndpoint, qemuDgram, vxlan } from '../src/index.js';

const RUNS = Number(process.env.TUNNEL_FUZZ_RUNS ?? 2000);
const REMOTE = '198.51.100.1';
const PORT = 4789;

function tunnelFor(kind: 'vxlan' | 'qemu') {
  return new UdpTunnel({
    local: parseUdpEndpoint('198.51.100.2:4789'),
    remote: parseUdpEndpoint(`${REMOTE}:${PORT}`),
    encapsulation: kind === 'vxlan' ? vxlan(42) : qemuDgram(),
    maxFrame: 1518,
  });
}

/** A host with an e1000 on the tunnel (the device model sees every frame the tunnel accepts). */
function hostOnTunnel(tunnel: UdpTunnel) {
  const sim = new Simulation({ seed: 5 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  registerE1000(platform);
  const host = platform.createHost({ name: 'h', runner: sim });
  const dev = new E1000Device({ mac: '02:00:00:00:00:02' });
  host.attachDevice(dev);
  const ifp = (host.autoconf()[0].driver as WmSoftc).ifp;
  tunnel.attach(dev);
  ifp.upIf();
  inetFor(host).addAddress(ifp, '192.0.2.2/24');
  return { sim, host, ifp };
}

// fast-check keeps arrays short unless told otherwise: mix short ones with full-size ones.
const bytes = (maxLength: number) => fc.oneof(fc.uint8Array({ maxLength }), fc.uint8Array({ maxLength, size: 'max' }));
const datagram = bytes(2000);
const vxlanHeader = (vni: number, flags = 0x08) => [flags, 0, 0, 0, vni >>> 16, (vni >>> 8) & 0xff, vni & 0xff, 0];
/** A datagram that looks like VXLAN for VNI 42 with random contents after the header, sometimes mangled. */
const almostVxlan = fc
  .record({
    vni: fc.oneof(fc.constant(42), fc.integer({ min: 0, max: 0xffffff })),
    flags: fc.oneof(fc.constant(0x08), fc.integer({ min: 0, max: 255 })),
    body: bytes(1600),
    cut: fc.oneof(fc.constant(1 << 20), fc.integer({ min: 0, max: 1700 })), // whole, or truncated
  })
  .map(({ vni, flags, body, cut }) => {
    const b = new Uint8Array([...vxlanHeader(vni, flags), ...body]);
    return b.subarray(0, Math.min(cut, b.length));
  });
/** Frames too big for the tunnel (jumbo and beyond), correctly encapsulated. */
const oversized = fc
  .integer({ min: 1519, max: 9000 })
  .map((n) => new Uint8Array([...vxlanHeader(42), ...new Uint8Array(n).fill(0x5a)]));
const peer = fc.oneof(
  fc.constant({ address: REMOTE, port: PORT }),
  fc.constant({ address: REMOTE, port: PORT + 1 }),
  fc.constant({ address: '198.51.100.3', port: PORT }),
  fc.record({ address: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }) }),
);

describe('tunnel input fuzz: nothing crashes, every datagram is delivered or dropped with a reason', () => {
  for (const kind of ['vxlan', 'qemu'] as const) {
    it(`${kind}: random datagrams from random peers into an e1000 host`, () => {
      const tunnel = tunnelFor(kind);
      const { sim, host } = hostOnTunnel(tunnel);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.oneof(datagram, almostVxlan, oversized), peer), { maxLength: 20 }),
          (batch) => {
            for (const [d, from] of batch) tunnel.input(d, 0, d.length, from.address, from.port);
            sim.runFor(1_000_000);
            const s = tunnel.stats;
            expect(s.rxDatagrams).toBe(s.rxFrames + tunnel.rxDropped);
            expect(s.drops['device-error']).toBe(0);
          },
        ),
        { seed: kind === 'vxlan' ? 7 : 8, numRuns: RUNS / 4 },
      );
      sim.runFor(60_000_000_000); // past ARP and reassembly timers
      const s = tunnel.stats;
      expect(s.drops['wrong-peer']).toBeGreaterThan(0);
      expect(s.drops.runt).toBeGreaterThan(0);
      expect(s.drops.oversize).toBeGreaterThan(0);
      if (kind === 'vxlan') {
        expect(s.drops.truncated).toBeGreaterThan(0);
        expect(s.drops['bad-flags']).toBeGreaterThan(0);
        expect(s.drops['bad-vni']).toBeGreaterThan(0);
      }
      expect(s.rxFrames).toBeGreaterThan(0);
      host.pool.checkAccounting();
    });
  }

  it('each reject reason, one datagram at a time', () => {
    const tunnel = tunnelFor('vxlan');
    const sink = new FrameSink({ capture: true });
    tunnel.attach(sink);
    const frame = new Uint8Array(60).fill(7);
    const ok = new Uint8Array([...vxlanHeader(42), ...frame]);
    const cases: [Uint8Array, string, number, string][] = [
      [ok, REMOTE, PORT, 'delivered'],
      [ok, REMOTE, PORT + 1, 'wrong-peer'],
      [ok, '198.51.100.9', PORT, 'wrong-peer'],
      [ok.subarray(0, 7), REMOTE, PORT, 'truncated'],
      [new Uint8Array([...vxlanHeader(42, 0x00), ...frame]), REMOTE, PORT, 'bad-flags'],
      [new Uint8Array([...vxlanHeader(43), ...frame]), REMOTE, PORT, 'bad-vni'],
      [ok.subarray(0, 8 + 13), REMOTE, PORT, 'runt'],
      [new Uint8Array([...vxlanHeader(42), ...new Uint8Array(1519)]), REMOTE, PORT, 'oversize'],
      // Reserved bits are ignored on receipt (RFC 7348 section 5).
      [new Uint8Array([0xff, 1, 2, 3, 0, 0, 42, 9, ...frame]), REMOTE, PORT, 'delivered'],
    ];
    for (const [d, addr, port, want] of cases) {
      const before = { ...tunnel.stats.drops };
      const delivered = tunnel.stats.rxFrames;
      tunnel.input(d, 0, d.length, addr, port);
      if (want === 'delivered') {
        expect(tunnel.stats.rxFrames).toBe(delivered + 1);
      } else {
        const changed = Object.entries(tunnel.stats.drops).filter(([k, v]) => v !== before[k as keyof typeof before]);
        expect(changed).toEqual([[want, before[want as keyof typeof before] + 1]]);
      }
    }
    expect(sink.frames.map((f) => f.bytes.length)).toEqual([60, 60]);
    // A short frame (a 42-byte ARP reply, as Linux sends it) is padded to the Ethernet minimum.
    const arp = new Uint8Array([...vxlanHeader(42), ...new Uint8Array(42).fill(9)]);
    tunnel.input(arp, 0, arp.length, REMOTE, PORT);
    expect([...sink.frames[2].bytes]).toEqual([...new Uint8Array(42).fill(9), ...new Uint8Array(18)]);
    expect(tunnel.stats.rxPadded).toBe(1);
    const empty = tunnelFor('vxlan');
    empty.input(ok, 0, ok.length, REMOTE, PORT);
    expect(empty.stats.drops['no-device']).toBe(1);
  });

  it('a device that throws is counted, not fatal', () => {
    const tunnel = tunnelFor('qemu');
    tunnel.attach({
      attachWire: () => ({
        wireReceive() {
          throw new Error('device model bug');
        },
        wireCarrier() {},
      }),
    });
    const f = new Uint8Array(60);
    expect(() => tunnel.input(f, 0, 60, REMOTE, PORT)).not.toThrow();
    expect(tunnel.stats.drops['device-error']).toBe(1);
    expect(tunnel.stats.lastError).toBe('device model bug');
  });
});
