import { describeDriverConformance } from '@ifnet/testkit';
import { VnicDevice, registerVnic } from '../src/index.js';

describeDriverConformance({
  name: 'vnic',
  setup: () => ({
    register: registerVnic,
    createDevice: (mac) => new VnicDevice({ mac }),
    driverName: 'vnic',
    deviceClass: 'dma',
  }),
});
