import { createSocket } from 'node:dgram';
import { RealTimeRunner, createPlatform } from '@ifnet/core';
import { E1000Device, type WmSoftc, registerE1000 } from '@ifnet/e1000';
import { registerEther } from '@ifnet/ether';
import { inetFor, ping, registerInet, udpEchoService, udpFor } from '@ifnet/inet';
import { FrameSink } from '@ifnet/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpTunnel, parseUdpEndpoint, qemuDgram, vxlan } from '../src/index.js';

/** Random loopback addresses (127.x.y.z), so parallel runs on one machine do not collide. */
function loopbackPair(): [string, string] {
  const r = () => 1 + Math.floor(Math.random() * 250);
  const net = `127.${r()}.${r()}`;
  return [`${net}.1`, `${net}.2`];
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

const open: UdpTunnel[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function tunnels(kind: 'vxlan' | 'qemu', txSlots?: number) {
  const [a, b] = loopbackPair();
  const enc = () => (kind === 'vxlan' ? vxlan(42) : qemuDgram());
  const ta = new UdpTunnel({
    local: parseUdpEndpoint(`${a}:4789`),
    remote: parseUdpEndpoint(`${b}:4789`),
    encapsulation: enc(),
    txSlots,
  });
  const tb = new UdpTunnel({
    local: parseUdpEndpoint(`${b}:4789`),
    remote: parseUdpEndpoint(`${a}:4789`),
    encapsulation: enc(),
    txSlots,
  });
  open.push(ta, tb);
  return { a, b, ta, tb };
}

describe('UDP tunnel over real sockets (loopback)', () => {
  it('carries frames both ways, binds only its address, counts a stranger as wrong-peer', async () => {
    for (const kind of ['vxlan', 'qemu'] as const) {
      const { a, b, ta, tb } = tunnels(kind);
      const sa = new FrameSink({ name: 'a' });
      const sb = new FrameSink({ name: 'b' });
      ta.attach(sa);
      tb.attach(sb);
      expect(sa.linkUp).toBe(false);
      await ta.open();
      await tb.open();
      expect(sa.linkUp).toBe(true);
      const frame = new Uint8Array(1514).map((_, i) => i & 0xff);
      for (let i = 0; i < 10; i++) sa.send(frame, 0, 60 + i * 100);
      sb.send(frame, 0, 1514);
      await until(() => sb.received === 10 && sa.received === 1);
      expect(sb.frames.map((f) => f.bytes.length)).toEqual([...Array(10).keys()].map((i) => 60 + i * 100));
      expect([...sa.frames[0].bytes]).toEqual([...frame]);
      expect(ta.stats).toMatchObject({ txOffered: 10, txFrames: 10, txPending: 0 });

      // Someone else, on the right address but another port, and on another address.
      const stranger = createSocket('udp4');
      await new Promise<void>((r) => stranger.bind(0, b, r));
      await new Promise<void>((r) => stranger.send(new Uint8Array(80), 4789, a, () => r()));
      stranger.close();
      await until(() => ta.stats.drops['wrong-peer'] === 1);
      expect(sa.received).toBe(1);

      // Nothing listens on the wildcard address: the socket is bound to `a` only.
      const probe = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(4789, b === '127.0.0.1' ? '127.0.0.2' : '127.0.0.1', () => resolve());
      }).then(
        () => probe.close(),
        (e: NodeJS.ErrnoException) => {
          probe.close();
          throw e;
        },
      );
    }
  });

  it('bounds what waits for the kernel: a burst beyond the send slots is dropped as tx-busy', async () => {
    const { ta, tb } = tunnels('vxlan', 4);
    const sa = new FrameSink({ name: 'a' });
    const sb = new FrameSink({ name: 'b', capture: false });
    ta.attach(sa);
    tb.attach(sb);
    await ta.open();
    await tb.open();
    const frame = new Uint8Array(100);
    let refused = 0;
    for (let i = 0; i < 100; i++) if (!sa.send(frame)) refused++;
    await until(() => ta.stats.txPending === 0);
    const s = ta.stats;
    expect(s.txOffered).toBe(100);
    expect(s.txFrames + s.drops['tx-busy']).toBe(100);
    expect(s.drops['tx-busy']).toBe(refused);
    expect(s.drops['tx-busy']).toBeGreaterThanOrEqual(96);
    await ta.close();
    expect(sa.send(frame)).toBe(false);
    expect(ta.stats.drops['tx-closed']).toBe(1);
  });

  it('two ifnet hosts on the real clock, e1000 each, VXLAN between them: ARP, ping (fragmented), UDP echo', async () => {
    const { ta, tb } = tunnels('vxlan');
    const runner = new RealTimeRunner();
    const platform = createPlatform();
    registerEther(platform);
    registerInet(platform);
    registerE1000(platform);
    const hosts = [ta, tb].map((t, i) => {
      const host = platform.createHost({ name: `h${i}`, runner });
      const dev = new E1000Device({ mac: `02:00:00:00:00:0${i + 1}` });
      host.attachDevice(dev);
      const ifp = (host.autoconf()[0].driver as WmSoftc).ifp;
      t.attach(dev);
      ifp.upIf();
      ifp.setMtu(t.mtu());
      inetFor(host).addAddress(ifp, `192.0.2.${i + 1}/24`);
      return { host, ifp };
    });
    await ta.open();
    await tb.open();
    try {
      expect(hosts[0].ifp.mtu).toBe(1450);
      const small = await ping(hosts[0].host, '192.0.2.2', { seq: 1 });
      expect(small.bytes).toBe(56);
      const big = await ping(hosts[0].host, '192.0.2.2', { seq: 2, size: 4000 });
      expect(big.bytes).toBe(4000);
      expect(inetFor(hosts[1].host).stats.reassembled).toBeGreaterThanOrEqual(1);
      udpEchoService(hosts[1].host, 7);
      const s = udpFor(hosts[0].host).socket().connect('192.0.2.2', 7);
      s.send(new TextEncoder().encode('over a real socket'));
      expect(new TextDecoder().decode((await s.recv()).data)).toBe('over a real socket');
      expect(ta.rxDropped + tb.rxDropped).toBe(0);
    } finally {
      runner.stop();
    }
  });
});
