import { parseAddr, udpFor } from '@ifnet/inet';
import { ipv4Packet } from '@ifnet/testkit';
import { describe, expect, it } from 'vitest';
import { ESP_MAX_PAYLOAD, EspDrop, EspOutDrop } from '../src/index.js';
import { PEER, SPI, US, espPacket, espWorld, outboundWorld, udpInner } from './esp-helpers.js';

/**
 * The drop reasons the other files do not reach: input `esp.toolong`, `esp.crypto`; every output reason but
 * `esp.out.nostate`. Each is counted once, under its name, with the pool quiescent after. Not reached here:
 * `esp.pullup` (a host's mbufs hold 256 bytes, more than the 36 bytes of headers ESP gathers with m_pullup)
 * and `esp.out.nobufs` (the packet grows in place into the room its cluster has).
 */
const OUT_SPI = 0x300;

function withOutbound(card?: { queueDepth: number }) {
  const w = outboundWorld(card, OUT_SPI, `0x${'77'.repeat(16)}01020304`);
  const sock = udpFor(w.host).socket().bind(4000);
  const send = (n: number, to = PEER) => sock.sendTo(new Uint8Array(n), parseAddr(to), 5000);
  return { ...w, send };
}

describe('ESP input: the remaining drop reasons', () => {
  it('esp.toolong: an ESP payload larger than a job buffer (after reassembly) is refused before crypto', () => {
    const { sim, host, ep, ipsec } = espWorld();
    const big = new Uint8Array(8 + 8 + ESP_MAX_PAYLOAD + 4 + 16);
    new DataView(big.buffer).setUint32(0, SPI);
    expect(ep.inject(ipv4Packet({ src: PEER, dst: US, protocol: 50 }, big))).toBe(true);
    sim.runUntilIdle();
    expect(ipsec.esp.drops).toEqual({ [EspDrop.tooLong]: 1 });
    expect(ipsec.fw.soft.ops).toBe(0);
    host.pool.assertQuiescent();
  });

  it('esp.crypto: the framework refuses the request (session freed under a live SA) — not counted as queue full', () => {
    const { sim, host, ep, ipsec, sa } = espWorld();
    ipsec.fw.freeSession(sa.session);
    ep.inject(espPacket({ seq: 1, nextHeader: 17, inner: udpInner(5000, 4000, new Uint8Array(4)) }));
    sim.runUntilIdle();
    expect(ipsec.esp.drops).toEqual({ [EspDrop.cryptoError]: 1 });
    expect(sa.stats.queueFull).toBe(0);
    expect(ipsec.esp.freeJobs).toBe(64);
    host.pool.assertQuiescent();
  });
});

describe('ESP output: every drop reason', () => {
  it('esp.out.toolong, esp.out.seqoverflow, esp.out.polblock', () => {
    const { sim, host, ipsec, out, send } = withOutbound();
    send(ESP_MAX_PAYLOAD); // + UDP header + trailer > a job buffer
    out.seqOut = 0xffffffff; // RFC 4303 3.3.3: no wrap without ESN; the SA must be rekeyed
    send(10);
    ipsec.addPolicy({ src: US, dst: '10.0.0.9', dir: 'out', action: 'block' });
    send(10, '10.0.0.9');
    sim.runUntilIdle();
    expect(ipsec.espOut.drops).toEqual({
      [EspOutDrop.tooLong]: 1,
      [EspOutDrop.seqOverflow]: 1,
      [EspOutDrop.polBlock]: 1,
    });
    expect(out.stats.seqOverflow).toBe(1);
    host.pool.assertQuiescent();
  });

  it('esp.out.qfull: more datagrams than jobs before softnet runs', () => {
    const { sim, host, ep, ipsec, send } = withOutbound();
    for (let i = 0; i < 70; i++) send(8);
    sim.runUntilIdle();
    expect(ipsec.espOut.drops).toEqual({ [EspOutDrop.queueFull]: 6 });
    expect(ep.sent.length).toBe(64);
    host.pool.assertQuiescent();
  });

  it('esp.out.sadeleted: the SA deleted while the encryption is on the card; esp.out.crypto: session refused', () => {
    const { sim, host, ep, ipsec, out, send } = withOutbound({ queueDepth: 4 });
    send(8);
    sim.runUntilTrue(() => ipsec.espOut.stats.inFlight === 1);
    ipsec.deleteState(OUT_SPI);
    sim.runUntilIdle();
    expect(ipsec.espOut.drops).toEqual({ [EspOutDrop.saDeleted]: 1 });
    expect(ipsec.espOut.stats.inFlight).toBe(0);
    expect(ep.sent.length).toBe(0);
    // A second SA whose crypto session is gone: dispatch refuses it.
    const again = withOutbound();
    again.ipsec.fw.freeSession(again.out.session);
    again.send(8);
    again.sim.runUntilIdle();
    expect(again.ipsec.espOut.drops).toEqual({ [EspOutDrop.cryptoError]: 1 });
    expect(out.stats.queueFull).toBe(0);
    host.pool.assertQuiescent();
    again.host.pool.assertQuiescent();
  });
});
