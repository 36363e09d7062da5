/**
 * The ESP anti-replay window (RFC 4303 section 3.4.3 and its Appendix A; BSD `ipsec_chkreplay` /
 * `ipsec_updatereplay`, Linux `xfrm_replay_check` / `xfrm_replay_advance`), for 32-bit sequence numbers.
 *
 * The receiver remembers the highest authenticated sequence number `top` and a bitmap of the `size`
 * numbers at and below it. Checking and updating are separate on purpose: a packet is **checked** before
 * its ICV is verified (cheap rejection of duplicates and packets left of the window) and the window is
 * **updated** only after the ICV verifies, so a forged packet can never move it. Between the two, other
 * packets may complete (asynchronous crypto), so {@link update} re-checks.
 *
 * The bitmap is a ring indexed by `seq % size` (RFC 6479's layout): advancing clears only the words it
 * passes, and nothing allocates after construction.
 */
export class ReplayWindow {
  /** Highest sequence number accepted so far (0: none yet). */
  top = 0;
  private readonly bits: Uint32Array;
  readonly size: number;

  /** `size` in packets: a multiple of 32, 32..4096 (`ip xfrm state ... replay-window N`; Linux default 32). */
  constructor(size = 32) {
    if (!Number.isInteger(size) || size < 32 || size > 4096 || size % 32 !== 0) {
      throw new RangeError(`replay window: size ${size} is not a multiple of 32 in 32..4096`);
    }
    this.size = size;
    this.bits = new Uint32Array(size / 32);
  }

  /**
   * Whether `seq` may be accepted: `'ok'`, `'zero'` (sequence number 0 is never sent, RFC 4303 3.3.3),
   * `'old'` (left of the window) or `'dup'` (already seen).
   */
  check(seq: number): 'ok' | 'zero' | 'old' | 'dup' {
    seq >>>= 0;
    if (seq === 0) return 'zero';
    if (seq > this.top) return 'ok';
    if (this.top - seq >= this.size) return 'old';
    return this.isSet(seq) ? 'dup' : 'ok';
  }

  /** Marks `seq` as received (after its ICV verified). Returns {@link check}'s verdict; only `'ok'` marks. */
  update(seq: number): 'ok' | 'zero' | 'old' | 'dup' {
    seq >>>= 0;
    const verdict = this.check(seq);
    if (verdict !== 'ok') return verdict;
    if (seq > this.top) {
      const diff = seq - this.top;
      if (diff >= this.size) this.bits.fill(0);
      else for (let s = this.top + 1; s <= seq; s++) this.clear(s);
      this.top = seq;
    }
    this.set(seq);
    return 'ok';
  }

  private isSet(seq: number): boolean {
    const i = seq % this.size;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }
  private set(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }
  private clear(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
  }
}
