/**
 * The contract rules the conformance kit checks, each with a stable id (what a failure names) and one
 * sentence a driver author can act on. The rules restate DESIGN.md section 1 (seed 000, extended by seed
 * 003) from the driver's side.
 *
 * @module
 */

export const RULES = {
  attach: 'autoconfiguration attaches the driver by vendor/device id and it creates its interface',
  detach: 'detach brings the interface down, removes it and releases the interrupt',
  'up-down': 'the interface can go up, down and up again, and passes traffic each time it is up',
  lladdr: 'a new link address is programmed into the hardware filter',
  mtu: 'an MTU change is applied: frames of the new MTU pass both ways',
  frames: 'frames of every size from the minimum to the MTU pass both ways, byte for byte',
  broadcast: 'broadcast frames are received',
  multicast: 'a joined multicast group is received, a group that was left is not delivered',
  promiscuous: 'in promiscuous mode frames for other stations reach if_input',
  'no-alloc-in-interrupt': 'the interrupt routine allocates nothing (rule 4)',
  'interrupt-routine': 'the interrupt routine acknowledges, defers to its poll context and hands no packet up',
  unmask: 'after a completed poll round the framework unmasks the device and the next frame interrupts',
  mask: 'a DMA device stays masked while its poll round is scheduled or running (rule 1)',
  budget: 'a poll hands up at most `budget` packets and reports its work (rule 2)',
  'tick-deferral': 'under an interrupt storm the device stays masked and is polled on the clock tick (rule 5)',
  'per-queue': 'each poll context has its own interrupt and its own polls (rule 6)',
  'close-waits': 'closing the interface from inside a running poll waits for that poll, then no poll runs (rule 6)',
  'spurious-interrupt': 'an interrupt the device did not raise is not claimed and does no harm',
  'lost-interrupt': 'when a transmit interrupt is lost, the transmit watchdog recovers the interface',
  'pool-exhaustion':
    'an empty mbuf pool drops frames at the device (counted) and the driver recovers when mbufs return',
  'ring-overrun': 'a receive ring overrun is counted as a named drop and the driver recovers',
  'link-flap': 'carrier loss and return are reported as link state changes and traffic resumes',
  'poll-exception':
    'an exception in the poll is contained by the framework, counted, the interface reset; other interfaces keep working',
  coalescing:
    'receive coalescing (ethtool -C rx-usecs) is applied — by the hardware or the kernel emulation — reads back, and cuts interrupts; what the hardware cannot do is refused with a RangeError',
  accounting: 'every frame offered is delivered or dropped with a named reason',
  'pool-balance': 'the mbuf pool balances and holds nothing once the interface is detached',
  'bus-only': 'the driver reaches its device only through the bus (registers, DMA, interrupt lines)',
  'no-exception': 'the driver never throws out of its routines',
} as const;

export type RuleId = keyof typeof RULES;

/** A broken contract rule: `rule` is the id, the message says what was seen and what to do. */
export class ContractViolation extends Error {
  constructor(
    readonly rule: RuleId,
    readonly why: string,
  ) {
    super(`contract rule '${rule}' (${RULES[rule]}) failed: ${why}`);
    this.name = 'ContractViolation';
  }
}

/** Throws a {@link ContractViolation} for `rule` unless `ok`. */
export function expectRule(ok: boolean, rule: RuleId, why: () => string): void {
  if (!ok) throw new ContractViolation(rule, why());
}
