/**
 * The workloads' injection: one `wireReceive` per frame, a burst of BURST frames per call (`wireBurst`),
 * and whole bursts per run — what the benchmarks count as packets.
 */
import type { WireEndpoint } from '@ifnet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Rig, makeRig, sinkFrame, udpFrame } from '../src/rig.js';
import { BURST, receiveToSink, receiveToSocket, wireBurst } from '../src/workloads.js';

const rigs: Rig[] = [];
afterAll(() => {
  for (const r of rigs) r.stop();
});

describe('workload injection', () => {
  it('wireBurst hands the frame to the port BURST times, one wireReceive per frame', () => {
    const calls: [Uint8Array, number, number][] = [];
    const port = { wireReceive: (f: Uint8Array, off: number, len: number) => calls.push([f, off, len]) };
    const f = sinkFrame(60);
    wireBurst(port as unknown as WireEndpoint, f, 60);
    expect(calls.length).toBe(BURST);
    for (const c of calls) expect(c).toEqual([f, 0, 60]);
  });

  it('a run moves whole bursts, every frame through the stack (sink and UDP socket, virtual clock)', () => {
    const plain = makeRig({ clock: 'virtual' });
    const stack = makeRig({ clock: 'virtual', inet: true });
    rigs.push(plain, stack);
    expect(receiveToSink(plain, sinkFrame(60))(3 * BURST + 1)).toBe(4 * BURST);
    expect(plain.sunk()).toBe(4 * BURST);
    expect(receiveToSocket(stack, udpFrame(60))(2 * BURST)).toBe(2 * BURST);
    expect(stack.datagrams()).toBe(2 * BURST);
  });
});
