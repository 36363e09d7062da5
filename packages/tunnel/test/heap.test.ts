/**
 * The tunnel's receive path allocates nothing of its own: decapsulation, the checks, padding and the
 * hand-over to the device, measured with V8's accounting (core's heap helper: no scavenge and under one
 * byte of young-generation growth per iteration over a million datagrams). Node's dgram allocates the
 * received Buffer before this path; that is outside what we control.
 */
import { FrameSink } from '@ifnet/wire';
import { describe, expect, it } from 'vitest';
import { allocationFree, heapCost } from '../../core/test/helpers/heap.js';
import { UdpTunnel, parseUdpEndpoint, vxlan } from '../src/index.js';

describe('tunnel receive path heap cost', () => {
  it('decapsulating and delivering a datagram (full-size and padded) allocates nothing', async () => {
    const tunnel = new UdpTunnel({
      local: parseUdpEndpoint('198.51.100.2:4789'),
      remote: parseUdpEndpoint('198.51.100.1:4789'),
      encapsulation: vxlan(42),
    });
    const sink = new FrameSink({ capture: false });
    tunnel.attach(sink);
    const full = new Uint8Array(8 + 1514);
    full.set([0x08, 0, 0, 0, 0, 0, 42, 0]);
    const short = full.slice(0, 8 + 42);
    const wrong = full.slice();
    wrong[6] = 43;
    const cost = await heapCost((i) => {
      const d = (i & 3) === 0 ? short : (i & 3) === 1 ? wrong : full;
      tunnel.input(d, 0, d.length, '198.51.100.1', 4789);
    });
    expect(allocationFree(cost), JSON.stringify(cost)).toBe(true);
    expect(tunnel.stats.rxDatagrams).toBe(tunnel.stats.rxFrames + tunnel.rxDropped);
    expect(tunnel.stats.drops['bad-vni']).toBeGreaterThan(0);
    expect(sink.received).toBe(tunnel.stats.rxFrames);
  });
});
