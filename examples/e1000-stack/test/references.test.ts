/**
 * The echo benchmark's reference must do the stack's work, not less: for the same request it must
 * produce the same reply the stack puts on the wire through the e1000, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { refEcho } from '../bench/references.js';
import { NETS, echoRequestFrame, makeRig } from '../src/rig.js';
import { echo } from '../src/workloads.js';

describe('the echo reference answers as the stack does', () => {
  it.each([
    [60, 'low'],
    [98, 'low'],
    [98, 'high'],
  ] as const)('%i-byte request, %s addresses', (len, net) => {
    const request = echoRequestFrame(len, net);
    const r = makeRig({ clock: 'virtual', inet: true, net, capture: true });
    r.sink.clear();
    expect(echo(r, request)(1)).toBe(64);
    const fromStack = r.sink.frames.at(-1)!.bytes;

    const wire = new Uint8Array(2048);
    expect(refEcho(request, NETS[net].us, wire)(1)).toBe(1);
    const fromRef = wire.subarray(0, len);
    // The IPv4 identification is each sender's own counter: compare it, and the header checksum that
    // covers it, separately.
    const masked = (b: Uint8Array) => b.map((x, i) => ((i >= 18 && i < 20) || (i >= 24 && i < 26) ? 0 : x));
    expect(Array.from(masked(fromRef))).toEqual(Array.from(masked(fromStack)));
    for (const b of [fromRef, fromStack]) {
      let s = 0;
      for (let i = 14; i < 34; i += 2) s += (b[i] << 8) | b[i + 1];
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      expect(s).toBe(0xffff); // both IPv4 header checksums are right
    }
    r.stop();
  });

  it('answers nothing the stack would drop: a bad ICMP checksum, another destination', () => {
    const bad = echoRequestFrame(98);
    bad[40] ^= 0xff; // payload changed, checksum not
    expect(refEcho(bad)(10)).toBe(0);
    const other = echoRequestFrame(98, 'high'); // to 192.0.2.1, not to the reference's 10.0.0.1
    expect(refEcho(other)(10)).toBe(0);
  });
});
