import { describe, expect, it } from 'vitest';
import { sweepProgress } from '../src/lab/progress.js';

describe('sweep progress', () => {
  it('prints plain lines when the stream is not a terminal', () => {
    const out: string[] = [];
    const stream = {
      isTTY: false,
      write: (s: string) => {
        out.push(s);
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const p = sweepProgress(stream);
    p.point('napi', 10_000, 1, 2);
    p.point('napi', 350_000.4, 2, 2);
    p.stop();
    expect(out).toEqual(['[1/2] napi 10000/s\n', '[2/2] napi 350000/s\n']);
  });
});
