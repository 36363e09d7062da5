/**
 * The e1000 (`wm`) driver against the conformance kit: every contract rule, through the framework only.
 */
import { describeDriverConformance } from '@ifnet/testkit';
import { E1000Device, registerE1000 } from '../src/index.js';

describeDriverConformance({
  name: 'wm (e1000)',
  setup: () => ({
    register: (platform) => registerE1000(platform),
    createDevice: (mac) => new E1000Device({ mac }),
    driverName: 'wm',
    deviceClass: 'dma',
  }),
});
