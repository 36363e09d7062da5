/**
 * The device side of an interrupt line (an INTx pin or one MSI-X vector).
 *
 * Lines are level-triggered: the device asserts while it has an unacknowledged, unmasked cause and
 * deasserts when the driver acknowledges it (e1000: reading ICR). The kernel side — masking, handlers,
 * IPL — lives in the interrupt controller; the device only drives the level.
 */
export interface InterruptLine {
  readonly name: string;
  readonly asserted: boolean;
  /** Drive the line high. Idempotent. */
  assert(): void;
  /** Drive the line low. Idempotent. */
  deassert(): void;
}
