/**
 * Progress of a sweep: a bar (cli-progress 3.12.0, the widely used maintained terminal progress bar) when
 * stderr is a terminal, plain `[i/n] model rate` lines otherwise (logs, CI, pipes). Always on stderr, so
 * stdout keeps the table or the one JSON object.
 */
import { SingleBar } from 'cli-progress';

export interface SweepProgress {
  point(model: string, offered: number, done: number, total: number): void;
  stop(): void;
}

export function sweepProgress(stream: NodeJS.WriteStream = process.stderr): SweepProgress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: 'sweeping [{bar}] {value}/{total} points  {model} {offered}/s',
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      point(model, offered, done, total) {
        if (!started) {
          bar.start(total, 0, { model, offered });
          started = true;
        }
        bar.update(done, { model, offered: Math.round(offered) });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  return {
    point(model, offered, done, total) {
      stream.write(`[${done}/${total}] ${model} ${Math.round(offered)}/s\n`);
    },
    stop() {},
  };
}
