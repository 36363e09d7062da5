/**
 * The ESP anti-replay window (RFC 4303 section 3.4.3 and its Appendix A; BSD `ipsec_chkreplay` /
 * `ipsec_updatereplay`, Linux `xfrm_replay_check` / `xfrm_replay_advance` and, with extended sequence
 * numbers, `xfrm_replay_check_esn` / `xfrm_replay_advance_esn`).
 *
 * The receiver remembers the highest authenticated sequence number (`topHi`:`top`, 64 bits as two 32-bit
 * halves; `topHi` stays 0 without ESN) and a bitmap of the `size` numbers at and below it. Checking and
 * updating are separate on purpose: a packet is **checked** before its ICV is verified (cheap rejection of
 * duplicates and packets left of the window) and the window is **updated** only after the ICV verifies,
 * so a forged packet can never move it. Between the two, other packets may complete (asynchronous crypto),
 * so {@link update} re-checks.
 *
 * With extended sequence numbers (RFC 4303 section 2.2.1) only the low 32 bits travel; {@link check}
 * infers the high 32 bits from the window as Appendix A2.2 prescribes and leaves them in
 * {@link inferredHi}, for the caller to put in the AAD (RFC 4106 section 5) and to pass to {@link update}.
 * The inference is only a guess until the ICV verifies it: a wrong guess fails authentication.
 *
 * The bitmap is a ring indexed by `seq % size` (RFC 6479's layout; `size` divides 2^32, so the low 32
 * bits alone index it across a wrap): advancing clears only the words it passes, and nothing allocates
 * after construction.
 */
export class ReplayWindow {
  /** Low 32 bits of the highest sequence number accepted so far (0 and `topHi` 0: none yet). */
  top = 0;
  /** High 32 bits of it (ESN only; Linux `seq_hi`). */
  topHi = 0;
  /** The high 32 bits {@link check} inferred for its last `'ok'` verdict (0 without ESN). */
  inferredHi = 0;
  private readonly bits: Uint32Array;
  readonly size: number;

  /**
   * `size` in packets: a multiple of 32, 32..4096 (`ip xfrm state ... replay-window N`; Linux default 32).
   * `esn`: 64-bit sequence numbers (`flag esn`). `seq` / `seqHi`: the starting top of the window (Linux
   * `replay-seq` / `replay-seq-hi`), with an empty bitmap.
   */
  constructor(
    size = 32,
    readonly esn = false,
    seq = 0,
    seqHi = 0,
  ) {
    if (!Number.isInteger(size) || size < 32 || size > 4096 || size % 32 !== 0) {
      throw new RangeError(`replay window: size ${size} is not a multiple of 32 in 32..4096`);
    }
    if (!esn && seqHi !== 0) throw new RangeError('replay window: replay-seq-hi needs extended sequence numbers');
    this.size = size;
    this.bits = new Uint32Array(size / 32);
    this.top = seq >>> 0;
    this.topHi = seqHi >>> 0;
  }

  /**
   * Whether the packet carrying the low 32 bits `seq` may be accepted: `'ok'`, `'zero'` (sequence number 0
   * is never sent, RFC 4303 3.3.3), `'old'` (left of the window, or, with ESN, a high half that would fall
   * below 0 or beyond 2^32-1) or `'dup'` (already seen). On `'ok'`, {@link inferredHi} holds the high half.
   */
  check(seq: number): 'ok' | 'zero' | 'old' | 'dup' {
    seq >>>= 0;
    if (!this.esn) {
      this.inferredHi = 0;
      return this.check64(seq, 0);
    }
    // RFC 4303 Appendix A2.2. Tl = top, Th = topHi, W = size.
    const w = this.size;
    const tl = this.top;
    let hi: number;
    if (tl >= w - 1) {
      // Case A: the window lies within one 2^32 subspace. Below its bottom means the next subspace.
      if (seq >= tl - w + 1) hi = this.topHi;
      else hi = this.topHi + 1;
    } else {
      // Case B: the window spans two subspaces. At or above the bottom (taken mod 2^32) means the previous one.
      if (seq >= tl - w + 1 + 0x100000000) hi = this.topHi - 1;
      else hi = this.topHi;
    }
    // The 64-bit counter never cycles (RFC 4303 3.3.3): there is nothing before 0 or after 2^64-1.
    if (hi < 0 || hi > 0xffffffff) return 'old';
    const verdict = this.check64(seq, hi);
    if (verdict === 'ok') this.inferredHi = hi;
    return verdict;
  }

  /**
   * Marks `seqHi`:`seq` as received (after its ICV verified with that high half in the AAD). Returns the
   * verdict of the same test as {@link check} on the full number; only `'ok'` marks.
   */
  update(seq: number, seqHi = 0): 'ok' | 'zero' | 'old' | 'dup' {
    seq >>>= 0;
    seqHi >>>= 0;
    const verdict = this.check64(seq, seqHi);
    if (verdict !== 'ok') return verdict;
    const diff = this.ahead(seq, seqHi);
    if (diff > 0) {
      if (diff >= this.size) this.bits.fill(0);
      else for (let s = this.top + 1, i = 0; i < diff; s++, i++) this.clear(s >>> 0);
      this.top = seq;
      this.topHi = seqHi;
    }
    this.set(seq);
    return 'ok';
  }

  /** The 64-bit test: zero, ahead of the top, left of the window, or inside it (then the bitmap decides). */
  private check64(seq: number, hi: number): 'ok' | 'zero' | 'old' | 'dup' {
    if (seq === 0 && hi === 0) return 'zero';
    const diff = this.ahead(seq, hi);
    if (diff > 0) return 'ok';
    if (-diff >= this.size) return 'old';
    return this.isSet(seq) ? 'dup' : 'ok';
  }

  /**
   * `hi:seq − topHi:top` as a double: exact while it is below 2^53 in magnitude, and of the right sign
   * beyond (only its sign and whether it reaches `size` matter there). No BigInt: nothing allocates.
   */
  private ahead(seq: number, hi: number): number {
    return (hi - this.topHi) * 0x100000000 + (seq - this.top);
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
