/**
 * Issue 8: no single socket, peer or ARP flood can starve a NIC's receive ring. Two e1000s on a cable;
 * host b is the victim. After each flood, b must still refill its ring and answer a ping at once.
 */
import { type Host, type Ifnet, sec } from '@ifnet/core';
import { arpFor } from '@ifnet/ether';
import { describe, expect, it } from 'vitest';
import { inetFor, parseAddr, ping, udpFor } from '../src/index.js';
import { twoNics } from './e1000-helpers.js';
import { echoRequest } from './helpers.js';

const B = '192.168.7.2';

/** Sends `n` raw IPv4 packets from a's interface to b's MAC (no socket: the sources are spoofed). */
function sendRaw(host: Host, ifp: Ifnet, pkt: Uint8Array): void {
  const m = host.pool.devget(pkt, 0, pkt.length, null, 16);
  if (m === null) throw new Error('attacker pool exhausted');
  ifp.output(m, 0x0800, parseAddr(B));
}

async function answersPing(w: ReturnType<typeof twoNics>, seq: number): Promise<void> {
  const p = ping(w.a.host, B, { seq, timeout: sec(1) });
  w.sim.runFor(sec(1.5)); // past the timeout: the ping is settled either way
  await expect(p).resolves.toMatchObject({ from: parseAddr(B) });
}

describe('a flood cannot make a host deaf (e1000 receive ring refill)', () => {
  it('a socket whose application never reads holds at most its SO_RCVBUF; the ring keeps refilling', async () => {
    const w = twoNics();
    const { sim, a, b } = w;
    const sink = udpFor(b.host).socket().bind(9); // nobody ever reads it
    const src = udpFor(a.host).socket();
    // 100 datagrams of 60 KiB (41 fragments each): 4,100 clusters' worth, twice b's pool.
    for (let i = 0; i < 100; i++) {
      src.sendTo(new Uint8Array(60_000), B, 9);
      sim.runFor(sec(0.001));
    }
    sim.runFor(sec(0.01));
    expect(sink.queuedBytes).toBeLessThanOrEqual(Math.max(sink.receiveBuffer, 45 * 2304));
    expect(udpFor(b.host).stats.drops['udp.fullsock']).toBeGreaterThan(90);
    const clusters = b.host.pool.stats.clusters;
    expect(clusters.inUse).toBeLessThan(clusters.size / 4);
    expect(b.driver.events['wm.rx.nobufs']).toBe(0);
    await answersPing(w, 1);
    sink.close();
    src.close();
  });

  it('echo requests from a thousand spoofed on-link sources hold a bounded number of clusters in ARP', async () => {
    const w = twoNics();
    const { sim, a, b } = w;
    // 10/8 is on-link for b, so every spoofed 10.x source is one ARP resolution away.
    inetFor(b.host).routes.add('10.0.0.0/8', undefined, b.ifp);
    // Each spoofed source gets 3 full-size echo requests; b's replies wait for ARP answers that never come.
    for (let i = 0; i < 1000; i++) {
      const spoofed = `10.1.${i >> 8}.${i & 0xff}`;
      for (let k = 0; k < 3; k++) sendRaw(a.host, a.ifp, echoRequest(spoofed, B, i, k, 1472));
      if (i % 16 === 15) sim.runFor(sec(0.001));
    }
    sim.runFor(sec(0.01));
    const arp = arpFor(b.host);
    expect(arp.heldPackets).toBeLessThanOrEqual(arp.config.maxHeldPackets);
    expect(arp.heldBytes).toBeLessThanOrEqual(arp.config.maxHeldBytes);
    const clusters = b.host.pool.stats.clusters;
    expect(clusters.inUse).toBeLessThan(clusters.size / 4);
    expect(b.driver.events['wm.rx.nobufs']).toBe(0);
    await answersPing(w, 2);
  });
});
