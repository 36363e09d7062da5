/**
 * The ehea driver against the conformance kit (@ifnet/testkit): every contract rule, through the
 * framework only. Frames from the kit's traffic are steered by RSS like any other.
 */
import { describeDriverConformance } from '@ifnet/testkit';
import { EheaDevice, registerEhea } from '../src/index.js';

describeDriverConformance({
  name: 'ehea',
  setup: () => ({
    // The kit's hosts have 1,024 clusters for two interfaces: 4 queues × 64 receive buffers each.
    register: (platform) => registerEhea(platform, { rxEntries: 64 }),
    createDevice: (mac) => new EheaDevice({ mac, queues: 4 }),
    driverName: 'ehea',
    deviceClass: 'dma',
  }),
});
