/**
 * The NE2000 (`ne`) driver against the conformance kit: every contract rule, through the framework only.
 *
 * A DP8390 has no link status register and no link-change interrupt (nor has the RTL8029's NE2000
 * register set), so no NE2000 driver can report a pulled cable: `linkState: false`, and the kit's link-flap
 * check only requires traffic to resume. (The kit's ring-overrun burst is sized from the declared receive
 * capacity, so the card's 8-bit tally counter CNTR2, which stops at 255, can count every missed frame.)
 */
import { describeDriverConformance } from '@ifnet/testkit';
import { Ne2000Device, registerNe2000 } from '../src/index.js';

describeDriverConformance({
  name: 'ne (ne2000)',
  setup: () => ({
    register: (platform) => registerNe2000(platform),
    createDevice: (mac) => new Ne2000Device({ mac }),
    driverName: 'ne',
    deviceClass: 'pio',
    linkState: false,
  }),
});
