import type { Ifnet } from '@ifnet/core';
import { describe, expect, it } from 'vitest';
import { OwnAddress } from '../src/own-address.js';

/** `matchesWords` of the 6 bytes at `off`, read as Ethernet input reads them (big-endian words). */
function matchesAt(own: OwnAddress, ifp: Ifnet, b: Uint8Array, off: number): boolean {
  const v = new DataView(b.buffer);
  return own.matchesWords(ifp, v.getInt32(off), v.getUint16(off + 4));
}

/** OwnAddress reads nothing of the interface but its link address. */
function ifWith(lladdr: Uint8Array): Ifnet {
  return { lladdr } as unknown as Ifnet;
}

describe('OwnAddress', () => {
  it('writes the destination tail and the source as ether_output lays them out', () => {
    const own = new OwnAddress();
    const ifp = ifWith(Uint8Array.from([0x02, 0x11, 0x82, 0xf3, 0x44, 0xff]));
    const b = new Uint8Array(20).fill(0xee);
    own.writeSource(ifp, new DataView(b.buffer), 5, 0xa1b2);
    expect([...b.subarray(5, 13)]).toEqual([0xa1, 0xb2, 0x02, 0x11, 0x82, 0xf3, 0x44, 0xff]);
    expect(b[4]).toBe(0xee);
    expect(b[13]).toBe(0xee);
    expect(matchesAt(own, ifp, b, 7)).toBe(true);
    expect(matchesAt(own, ifp, b, 6)).toBe(false);
  });

  it('follows a new link address array', () => {
    const own = new OwnAddress();
    const ifp = ifWith(Uint8Array.from([2, 0, 0, 0, 0, 1]));
    const b = new Uint8Array(8);
    own.writeSource(ifp, new DataView(b.buffer), 0, 0);
    ifp.lladdr = Uint8Array.from([2, 0, 0, 0, 0, 9]);
    own.writeSource(ifp, new DataView(b.buffer), 0, 0x0102);
    expect([...b]).toEqual([1, 2, 2, 0, 0, 0, 0, 9]);
  });

  it('matches again once a 6-byte address replaces one of another length', () => {
    const own = new OwnAddress();
    const ifp = ifWith(Uint8Array.from([9, 8, 7, 6]));
    const frame = Uint8Array.from([0x80, 1, 2, 3, 4, 5, 0, 0]); // top bit set: a negative first word
    expect(matchesAt(own, ifp, frame, 0)).toBe(false);
    ifp.lladdr = Uint8Array.from([0x80, 1, 2, 3, 4, 5]);
    expect(matchesAt(own, ifp, frame, 0)).toBe(true);
    frame[5] = 6;
    expect(matchesAt(own, ifp, frame, 0)).toBe(false);
  });

  it('writes an address of another length byte by byte, zero-padded to six', () => {
    const own = new OwnAddress();
    const ifp = ifWith(Uint8Array.from([9, 8, 7, 6]));
    const b = new Uint8Array(8).fill(0xee);
    own.writeSource(ifp, new DataView(b.buffer), 0, 0x0304);
    expect([...b]).toEqual([3, 4, 9, 8, 7, 6, 0, 0]);
    expect(matchesAt(own, ifp, b, 2)).toBe(false);
  });
});
