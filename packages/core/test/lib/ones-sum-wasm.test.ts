/**
 * The embedded WebAssembly bytes are the WAT text beside them, assembled: the text is taken from the
 * source file's comment and assembled with wabt (a devDependency of core for this test only).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { ONES_SUM_WASM } from '../../src/lib/ones-sum-wasm.js';

const SOURCE = fileURLToPath(new URL('../../src/lib/ones-sum-wasm.ts', import.meta.url));

/** The lines between " * ```wat" and " * ```" of the module comment, without their " * " prefix. */
function watOf(source: string): string {
  const lines = source.split('\n');
  const start = lines.indexOf(' * ```wat');
  const end = lines.indexOf(' * ```', start + 1);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return lines
    .slice(start + 1, end)
    .map((l) => l.replace(/^ \* ?/, ''))
    .join('\n');
}

/** The bytes as the TS array literal to paste, for a mismatch. */
function literal(b: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    rows.push(`  ${Array.from(b.subarray(i, i + 16), (x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return rows.join('\n');
}

describe('ones-sum WebAssembly module', () => {
  it('the embedded bytes are the WAT text of the comment, assembled by wabt', async () => {
    const wabt = await wabtInit();
    const mod = wabt.parseWat('ones-sum.wat', watOf(readFileSync(SOURCE, 'utf8')), { simd: true });
    try {
      mod.validate();
      const { buffer } = mod.toBinary({});
      const got = Array.from(ONES_SUM_WASM);
      const want = Array.from(buffer);
      if (got.join() !== want.join()) console.log(`ones-sum-wasm.ts: the bytes should be\n${literal(buffer)}`);
      expect(got).toEqual(want);
    } finally {
      mod.destroy();
    }
  });

  it('validates and exports a one-page memory and sum(p, n)', () => {
    expect(WebAssembly.validate(ONES_SUM_WASM)).toBe(true);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(ONES_SUM_WASM));
    const { memory, sum } = inst.exports as { memory: WebAssembly.Memory; sum: (p: number, n: number) => number };
    expect(memory.buffer.byteLength).toBe(65536);
    expect(() => memory.grow(1)).toThrow();
    new Uint8Array(memory.buffer).set([0x01, 0x02, 0x03, 0x04, 0x05], 7);
    // Little-endian words 0x0201 + 0x0403 + 0x05.
    expect(sum(7, 5)).toBe(0x0201 + 0x0403 + 0x05);
    expect(sum(0, 0)).toBe(0);
  });

  it('sums every short length at every alignment as the engine never asks it to (below ONES_SUM_MIN)', () => {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(ONES_SUM_WASM));
    const { memory, sum } = inst.exports as { memory: WebAssembly.Memory; sum: (p: number, n: number) => number };
    const m = new Uint8Array(memory.buffer);
    for (let i = 0; i < 512; i++) m[i] = (i * 151 + 7) & 0xff;
    for (let p = 0; p < 4; p++) {
      for (let n = 0; n <= 200; n++) {
        let s = 0; // little-endian words, an odd last byte as the low byte, folded
        for (let i = 0; i < n; i += 2) s += m[p + i] | (i + 1 < n ? m[p + i + 1] << 8 : 0);
        while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
        expect(sum(p, n)).toBe(s);
      }
    }
  });
});
