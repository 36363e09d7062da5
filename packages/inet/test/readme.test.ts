import { Simulation, createPlatform } from '@ifnet/core';
import { createEpair, registerEther } from '@ifnet/ether';
import { expect, it } from 'vitest';
import { inetFor, ping, registerInet, udpEchoService, udpFor } from '../src/index.js';

it('runs the README example', async () => {
  const sim = new Simulation({ seed: 1 });
  const platform = createPlatform();
  registerEther(platform);
  registerInet(platform);
  const a = platform.createHost({ name: 'a', runner: sim });
  const b = platform.createHost({ name: 'b', runner: sim });
  const { a: ifa, b: ifb } = createEpair(a, b);
  inetFor(a).addAddress(ifa, '10.0.0.1/24');
  inetFor(b).addAddress(ifb, '10.0.0.2/24');
  inetFor(a).routes.add('default', '10.0.0.254');

  const reply = ping(a, '10.0.0.2', { size: 4000 });
  udpEchoService(b, 7);
  const s = udpFor(a).socket().connect('10.0.0.2', 7);
  s.send(new TextEncoder().encode('hello'));
  const echoed = s.recv();
  sim.runUntilIdle();
  expect((await reply).rtt).toBeGreaterThan(0);
  expect(new TextDecoder().decode((await echoed).data)).toBe('hello');
});
