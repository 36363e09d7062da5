import { type Mbuf, m_copydata } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { IPPORT_EPHEMERALFIRST, type InetError, inetFor, parseAddr } from '../src/index.js';
import { bytes, udpPacket, channelWorld } from './helpers.js';

const US = '10.0.0.1';
const PEER = '10.0.0.2';

const world = () => channelWorld(US);

function code(f: () => unknown): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return (e as InetError).code ?? String(e);
  }
}

describe('UDP sockets', () => {
  it('binds, refuses conflicts, and allocates ephemeral ports skipping used ones', () => {
    const { udp } = world();
    const a = udp.socket().bind(5000);
    expect(code(() => udp.socket().bind(5000))).toBe('addr-in-use');
    expect(code(() => udp.socket().bind(5000, US))).toBe('addr-in-use');
    expect(code(() => a.bind(5001))).toBe('exists');
    expect(code(() => udp.socket().bind(5002, '10.0.0.9'))).toBe('bad-address');
    expect(code(() => udp.socket().bind(70000))).toBe('bad-address');
    const b = udp.socket().bind(5003, US);
    expect(code(() => udp.socket().bind(5003, '127.0.0.1'))).toBe('none');
    expect(code(() => udp.socket().bind(5003))).toBe('addr-in-use');
    udp.socket().bind(IPPORT_EPHEMERALFIRST);
    udp.socket().bind(IPPORT_EPHEMERALFIRST + 1);
    expect(udp.socket().bind().localPort).toBe(IPPORT_EPHEMERALFIRST + 2);
    expect(udp.socket().bind().localPort).toBe(IPPORT_EPHEMERALFIRST + 3);
    a.close();
    b.close();
    expect(udp.socket().bind(5000).localPort).toBe(5000);
  });

  it('runs out of ephemeral ports with no-ports, and wraps around when one is freed', () => {
    const { udp } = world();
    const socks = [];
    for (let p = IPPORT_EPHEMERALFIRST; p <= 65535; p++) socks.push(udp.socket().bind());
    expect(socks.at(-1)!.localPort).toBe(65535);
    expect(code(() => udp.socket().bind())).toBe('no-ports');
    socks[10].close();
    expect(udp.socket().bind().localPort).toBe(IPPORT_EPHEMERALFIRST + 10);
  });

  it('delivers to the best match: connected, then bound address, then any', async () => {
    const { sim, host, ch, udp } = world();
    const any = udp.socket().bind(53);
    const connected = udp.socket().bind(54).connect(PEER, 1111);
    const other = udp.socket().bind(54, '127.0.0.1');
    ch.inject(udpPacket(PEER, US, 1111, 54, bytes(1)));
    ch.inject(udpPacket(PEER, US, 2222, 54, bytes(2))); // the connected socket only takes 1111
    ch.inject(udpPacket(PEER, US, 2222, 53, bytes(3)));
    sim.runUntilIdle();
    expect([any.queued, connected.queued, other.queued]).toEqual([1, 1, 0]);
    expect(udp.stats.drops).toEqual({ 'udp.noport': 1 });
    expect((await connected.recv()).srcPort).toBe(1111);
    for (const s of [any, connected, other]) s.close();
    host.pool.assertQuiescent();
  });

  it('input feedback: a full queue holds the interface it came in on until the application drains it', async () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket({ receiveQueue: 4, inputFeedback: true }).bind(7000);
    for (let i = 0; i < 3; i++) ch.inject(udpPacket(PEER, US, 1, 7000, bytes(10)));
    sim.runUntilIdle();
    expect(ch.ifp.inputHeld).toBe(false);
    ch.inject(udpPacket(PEER, US, 1, 7000, bytes(10))); // the 4th fills the queue: hold
    sim.runUntilIdle();
    expect(ch.ifp.inputHeld).toBe(true);
    expect(s.stats.inputHolds).toBe(1);
    expect(ch.ifp.counters.inputHolds).toBe(1);
    for (let left = 3; left > 0; left--) {
      await s.recv();
      expect(ch.ifp.inputHeld).toBe(true); // `left` still queued
    }
    await s.recv(); // drained: released
    expect(ch.ifp.inputHeld).toBe(false);
    s.close();
    host.pool.assertQuiescent();
  });

  it('input feedback: a queue full by SO_RCVBUF bytes holds too, and stays held until drained', async () => {
    const { sim, host, ch, udp } = world();
    // 64 datagrams by count, but each pins at least an mbuf: a 1-byte SO_RCVBUF-sized buffer takes one.
    const s = udp.socket({ receiveQueue: 64, receiveBuffer: 1, inputFeedback: true }).bind(7000);
    ch.inject(udpPacket(PEER, US, 1, 7000, bytes(10)));
    sim.runUntilIdle();
    expect(s.queued).toBe(1);
    expect(ch.ifp.inputHeld).toBe(true); // full by bytes, though 63 datagram slots are free
    expect(s.stats.dropped).toBe(0); // held before a second datagram was processed only to be refused
    await s.recv();
    expect(ch.ifp.inputHeld).toBe(false);
    s.close();
    host.pool.assertQuiescent();
  });

  it('input feedback: closing a socket that holds its interface releases it', () => {
    const { sim, ch, udp } = world();
    const s = udp.socket({ receiveQueue: 1, inputFeedback: true }).bind(7000);
    ch.inject(udpPacket(PEER, US, 1, 7000, bytes(10)));
    sim.runUntilIdle();
    expect(ch.ifp.inputHeld).toBe(true);
    s.close();
    expect(ch.ifp.inputHeld).toBe(false);
  });

  it('bounds the receive queue and counts overflow drops', () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket({ receiveQueue: 4 }).bind(7000);
    for (let i = 0; i < 6; i++) ch.inject(udpPacket(PEER, US, 1, 7000, bytes(10)));
    sim.runUntilIdle();
    expect(s.queued).toBe(4);
    expect(s.stats).toEqual({ received: 4, dropped: 2, sent: 0, errors: 0, inputHolds: 0 });
    expect(udp.stats.drops).toEqual({ 'udp.fullsock': 2 });
    expect(ch.ifp.counters.drops).toEqual({ 'udp.fullsock': 2 });
    s.close();
    host.pool.assertQuiescent();
  });

  it('hands payload mbufs to the receive callback from an application continuation', async () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket().bind(7001);
    const seen: string[] = [];
    s.onMessage((m: Mbuf, from) => {
      const d = new Uint8Array(m.pkthdr.len);
      m_copydata(m, 0, d.length, d, 0);
      seen.push(
        `${from.srcAddr === parseAddr(PEER)} ${from.srcPort}->${from.dstPort} ${from.ifp?.name} [${d.join(',')}]`,
      );
      m.pool.freem(m);
    });
    ch.inject(udpPacket(PEER, US, 9, 7001, Uint8Array.from([1, 2, 3])));
    ch.inject(udpPacket(PEER, US, 9, 7001, Uint8Array.from([4])));
    // Delivery waits for the application continuation (IPL_NONE).
    expect(seen).toEqual([]);
    expect(s.queued).toBe(2);
    sim.runUntilIdle();
    expect(seen).toEqual(['true 9->7001 ch0 [1,2,3]', 'true 9->7001 ch0 [4]']);
    await expect(s.recv()).rejects.toMatchObject({ code: 'exists' });
    s.close();
    host.pool.assertQuiescent();
  });

  it('wakes the application once per burst: a reader already queued is not scheduled again', () => {
    const { sim, host, ch, udp } = world();
    const s = udp.socket().bind(7002);
    const seen: number[] = [];
    s.onMessage((m: Mbuf, from) => {
      seen.push(from.srcPort);
      expect(from.ifp).toBe(ch.ifp);
      m.pool.freem(m);
    });
    const sched = host.cpu.sched.stats;
    const before = { ...sched };
    // The input path queues all three before the application runs: the first wakes it, the other two
    // find it queued and leave the scheduler alone (nothing scheduled, nothing coalesced).
    for (let i = 1; i <= 3; i++) ch.inject(udpPacket(PEER, US, i, 7002, bytes(4)));
    expect(s.queued).toBe(3);
    expect(sched.scheduled - before.scheduled).toBe(1);
    sim.runUntilIdle();
    expect(seen).toEqual([1, 2, 3]);
    expect(s.queued).toBe(0);
    const woken = sched.scheduled - before.scheduled;
    expect(sched.coalesced - before.coalesced).toBe(0);
    // A second burst wakes it once more, and only once.
    const mid = { ...sched };
    for (let i = 4; i <= 6; i++) ch.inject(udpPacket(PEER, US, i, 7002, bytes(4)));
    sim.runUntilIdle();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sched.scheduled - mid.scheduled).toBe(woken);
    expect(sched.coalesced - mid.coalesced).toBe(0);
    s.close();
    host.pool.assertQuiescent();
  });

  it('refuses bad sends with errors and frees mbufs handed over, error included', async () => {
    const { host, ch, udp } = world();
    const s = udp.socket();
    const m = () => host.pool.devget(bytes(10), 0, 10, null, 64)!;
    expect(code(() => s.send(m()))).toBe('not-connected');
    expect(code(() => s.sendTo(m(), '10.0.0.2', 0))).toBe('bad-address');
    expect(code(() => s.sendTo(m(), '1.2.3', 9))).toBe('bad-address');
    expect(code(() => s.sendTo(new Uint8Array(65508), PEER, 9))).toBe('msgsize');
    expect(code(() => s.sendTo(m(), '192.0.2.1', 9))).toBe('no-route');
    expect(code(() => udp.socket().connect('192.0.2.1', 9))).toBe('no-route');
    s.dontFragment = true;
    expect(code(() => s.sendTo(new Uint8Array(1473), PEER, 9))).toBe('msgsize');
    expect(code(() => s.sendTo(new Uint8Array(1472), PEER, 9))).toBe('none');
    s.dontFragment = false;
    expect(s.sendTo(new Uint8Array(1473), PEER, 9)).toBe(true); // two fragments
    expect(ch.sent.map((p) => p.bytes.length)).toEqual([1500, 1500, 21]);
    s.close();
    expect(code(() => s.sendTo(m(), PEER, 9))).toBe('closed');
    await expect(s.recv()).rejects.toMatchObject({ code: 'closed' });
    expect(inetFor(host).stats.drops).toEqual({ 'ip.output.cantfrag': 1 });
    host.pool.assertQuiescent();
  });

  it('sends a 65507-byte datagram, the largest there is, in 45 fragments', () => {
    const { host, ch, udp } = world();
    const s = udp.socket().bind(1234);
    expect(s.sendTo(bytes(65507), PEER, 9)).toBe(true);
    expect(ch.sent).toHaveLength(45);
    const total = ch.sent.reduce((n, p) => n + p.bytes.length - 20, 0);
    expect(total).toBe(65515);
    s.close();
    host.pool.assertQuiescent();
  });

  it('rejects a pending recv when the socket closes', async () => {
    const { udp } = world();
    const s = udp.socket().bind(1);
    const r = s.recv();
    s.close();
    await expect(r).rejects.toMatchObject({ code: 'closed' });
  });
});
