/**
 * The NE2000 (`ne`) driver against the conformance kit: every contract rule, through the framework only.
 *
 * Skipped, with the reason each time:
 * - `link-flap`: a DP8390 has no link status register and no link-change interrupt (nor has the RTL8029's
 *   NE2000 register set), so no NE2000 driver can report a pulled cable; the interface stays 'up'.
 *   Traffic resuming after the cable returns is covered by `lifecycle` and `frames`.
 * - `ring-overrun`: the kit masks the line at the interrupt controller for 20 ms while 2,000 frames
 *   arrive. The card keeps 51 of them and counts the rest in CNTR2, an 8-bit tally counter that stops at
 *   255 and whose CNT interrupt cannot be taken while the line is masked: the other 1,694 frames are lost
 *   without a trace on the real part, so no driver can name them. (Overflow recovery with every frame
 *   accounted for, within what the counters can hold, is in `driver-overload.test.ts`.)
 * - `poll-exception`: core does not contain exceptions thrown inside polls yet (branch core-rel adds it);
 *   the e1000 skips it too.
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
  }),
  skip: ['link-flap', 'ring-overrun', 'poll-exception'],
});
