/**
 * `OnesSumEngine`: the Internet checksum's ones'-complement sum (RFC 1071) of long byte ranges in
 * WebAssembly SIMD — for device models that emulate checksum offload (an e1000's RXCSUM, which sums every
 * received datagram) and for any software checksum over data that sits in a whole array.
 *
 * A sum in JavaScript costs about 2 instructions a byte at best (32-bit loads, doubles); the SIMD loop of
 * {@link ONES_SUM_WASM} about 0.3. WebAssembly can only read its own memory, so the engine copies the
 * source into a one-page scratch memory first — `TypedArray.prototype.set` of a *whole* array, a memmove
 * (`subarray` for a range would allocate a view per call: see `copy-bytes.ts`) — and sums the range there.
 * Worth it from {@link ONES_SUM_MIN} bytes on; below, and whenever the copy is not possible or not cheap,
 * {@link OnesSumEngine.sum} sums in JavaScript ({@link onesSum}) with the same result, and
 * {@link OnesSumEngine.trySum} answers -1 for a caller with a faster JavaScript loop of its own.
 *
 * The result is in byte-swapped form, folded to 16 bits (see `ones-sum.ts`): the same number from the
 * SIMD module and from JavaScript, for every range. No call allocates.
 *
 * Instantiation is synchronous (`new WebAssembly.Module`/`Instance`): the module is 500 bytes, compiled
 * in well under a millisecond, and browsers allow synchronous compilation of modules this small on the
 * main thread (Chrome refuses only large ones there). It is lazy: core compiles the module when the
 * first engine is made, not when core is imported, and a user makes its engine once (the e1000 model at
 * its module's load), so a sum has no "is it ready" test. Without WebAssembly, without SIMD
 * (`WebAssembly.validate` of the bytes, checked once), or where compiling is refused (a Content Security
 * Policy without `wasm-unsafe-eval`), every sum is JavaScript's.
 *
 * @module
 */
import { onesSum } from './ones-sum.js';
import { ONES_SUM_WASM } from './ones-sum-wasm.js';

/**
 * Shortest range the engine sums in WebAssembly: below it the copy and the call into WebAssembly (20 to
 * 30 ns on V8, whatever the length: a memmove through `TypedArray.prototype.set`, the JS-to-WebAssembly
 * call) cost more than the e1000's JavaScript word loop saves. Measured (Node 20, x64, loaded 2-core
 * machine; the best of 60 rounds of 20,000 sums, one engine or the JavaScript loop per process, three
 * alternations; a datagram in its frame's array), engine against JavaScript: 34 against 27 ns at 128
 * bytes, even at 192 (35 against 34), ahead from 256 (37 against 40), 2.8x at 1480 (54 against 150). The
 * earlier 8-byte loop crosses at the same length in the same runs (1 to 2 ns shorter below 192 bytes:
 * less set-up; 10 to 25 ns longer from 256): the threshold was 128 from a first measurement that found
 * the copy and the call cheaper (21 ns at 128 bytes), which these runs did not reproduce. A 60-byte
 * frame's 26-byte datagram stays on the JavaScript path.
 */
export const ONES_SUM_MIN = 192;

/** The scratch memory: one WebAssembly page, enough for any frame (an e1000 takes 16 KiB with LPE). */
export const ONES_SUM_SCRATCH = 65536;

/**
 * The source array is copied whole when it is at most this many times the range: a memmove costs about
 * 1/30 of JavaScript's sum per byte, so a frame copied for its payload pays back many times, a large
 * buffer copied for a small range does not.
 */
const WHOLE_PER_RANGE = 8;

/** The module's export: the folded sum of `memory[p, p+n)`. */
type WasmSum = (p: number, n: number) => number;

/** The compiled module, or null where WebAssembly SIMD is unavailable; undefined until the first engine. */
let compiled: WebAssembly.Module | null | undefined;

function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      if (typeof WebAssembly === 'object' && WebAssembly.validate(ONES_SUM_WASM)) {
        compiled = new WebAssembly.Module(ONES_SUM_WASM);
      }
    } catch {
      // Compiling refused (a Content Security Policy): the JavaScript sum.
    }
  }
  return compiled;
}

/** Options of {@link OnesSumEngine}. */
export interface OnesSumEngineOptions {
  /** `false`: never use WebAssembly (tests of the fallback; comparisons). Default true. */
  wasm?: boolean;
}

/**
 * A ones'-complement summer with its own WebAssembly scratch memory. One per user that sums from one
 * thread (JavaScript's): a sum copies into the scratch and reads it back before it returns, so users of
 * one engine never see each other's data.
 */
export class OnesSumEngine {
  /** True when long ranges are summed in WebAssembly SIMD; false: every sum is {@link onesSum}. */
  readonly accelerated: boolean;
  /** The scratch memory's bytes (the memory never grows, so this view stays valid). */
  private readonly scratch: Uint8Array;
  private readonly wasmSum: WasmSum;

  constructor(options: OnesSumEngineOptions = {}) {
    const mod = options.wasm === false ? null : compiledModule();
    let inst: WebAssembly.Instance | null = null;
    if (mod !== null) {
      try {
        inst = new WebAssembly.Instance(mod);
      } catch {
        inst = null; // out of memory for a page: the JavaScript sum
      }
    }
    if (inst !== null) {
      const e = inst.exports as { memory: WebAssembly.Memory; sum: WasmSum };
      this.scratch = new Uint8Array(e.memory.buffer);
      this.wasmSum = e.sum;
      this.accelerated = true;
    } else {
      this.scratch = new Uint8Array(0);
      this.wasmSum = unavailable;
      this.accelerated = false;
    }
  }

  /**
   * The folded ones'-complement sum of the little-endian 16-bit words of `src[off, off+len)` (see
   * `ones-sum.ts`): in WebAssembly when {@link trySum} can take the range, else in JavaScript. Bytes
   * outside `src` read as 0.
   */
  sum(src: Uint8Array, off: number, len: number): number {
    const s = this.trySum(src, off, len);
    return s >= 0 ? s : onesSum(src, off, len);
  }

  /**
   * {@link sum} in WebAssembly, or -1 when the engine would not use it: not accelerated, a range shorter
   * than {@link ONES_SUM_MIN} or outside `src`, or a source array that is larger than the scratch or more
   * than a few times the range (copying it would cost more than summing the range in JavaScript). For a
   * caller with a JavaScript loop of its own that beats {@link onesSum} (aligned word views of a buffer).
   */
  trySum(src: Uint8Array, off: number, len: number): number {
    const n = src.length;
    if (
      !this.accelerated ||
      len < ONES_SUM_MIN ||
      off < 0 ||
      off + len > n ||
      n > ONES_SUM_SCRATCH ||
      n > len * WHOLE_PER_RANGE
    ) {
      return -1;
    }
    // A whole array, so a memmove and no view; the range is summed where it lands.
    this.scratch.set(src);
    return this.wasmSum(off, len);
  }
}

function unavailable(): number {
  return -1;
}

let shared: OnesSumEngine | null = null;

/** One engine for a whole program (made at the first call): users that sum from one thread can share it. */
export function sharedOnesSumEngine(): OnesSumEngine {
  if (shared === null) shared = new OnesSumEngine();
  return shared;
}
