/**
 * `@ifnet/pcap/node`: pcap files and pipes on Node. The format code is platform-neutral (`@ifnet/pcap`);
 * this entry only adds where the bytes go:
 *
 * - a file: written with `fs.writeSync` as chunks fill (blocking, nothing lost);
 * - `-`: standard output, for `ifnet host ... --pcap - | tshark -r -` or `wireshark -k -i -`. A pipe whose
 *   reader falls behind must not stall the host, so at most `maxBacklog` bytes wait in the stream; beyond
 *   that, chunks are dropped (counted in `stats.dropped`, never the global header).
 *
 * Chunks are flushed once per event-loop turn after a record arrives, so a live viewer sees packets
 * within a turn; {@link NodePcapWriter.close} flushes the rest.
 *
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { PcapResolution } from '../format.js';
import { PcapReader } from '../reader.js';
import { type PcapClock, type PcapSink, PcapWriter } from '../writer.js';

export interface NodePcapOptions {
  /** The clock whose `now()` (ns) stamps records, e.g. the host's. Default: a monotonic clock from now. */
  clock?: PcapClock;
  /**
   * Wall time at which `clock` read 0. Default: computed at creation as `Date.now()` minus `clock.now()`,
   * right for a real clock; pass `{ sec: 0, nsec: 0 }` for a virtual clock's own timeline.
   */
  epoch?: { sec: number; nsec: number };
  resolution?: PcapResolution;
  snaplen?: number;
  /** `-` only: bytes allowed to wait in stdout before chunks are dropped. Default 8 MiB. */
  maxBacklog?: number;
}

/** A {@link PcapWriter} bound to a file or stdout, flushed by the event loop. */
export interface NodePcapWriter {
  readonly writer: PcapWriter;
  /** The path, or `-`. */
  readonly target: string;
  /** Flushes what is buffered and closes the file (stdout stays open). */
  close(): void;
}

/** Wall time now minus `clock.now()`: when the clock read zero, as seconds + ns since 1970. */
export function wallEpochOf(clock: PcapClock): { sec: number; nsec: number } {
  const ms = Date.now() - clock.now() / 1e6;
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) };
}

/** A monotonic ns clock starting now (when no host clock is given). */
function processClock(): PcapClock {
  const t0 = performance.now();
  return { now: () => (performance.now() - t0) * 1e6 };
}

/** Opens `target` (a path, or `-` for stdout) and returns a writer that flushes on its own. */
export function openPcap(target: string, options: NodePcapOptions = {}): NodePcapWriter {
  const clock = options.clock ?? processClock();
  const epoch = options.epoch ?? wallEpochOf(clock);
  let sink: PcapSink;
  let fd = -1;
  if (target === '-') {
    const maxBacklog = options.maxBacklog ?? 8 * 1024 * 1024;
    let first = true;
    sink = {
      write(chunk) {
        // The stream keeps a reference until written, and the writer reuses its buffer: copy.
        if (!first && process.stdout.writableLength > maxBacklog) return false;
        first = false;
        process.stdout.write(Buffer.from(chunk));
        return true;
      },
    };
  } else {
    fd = openSync(target, 'w');
    sink = {
      write(chunk) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        return true;
      },
    };
  }
  let scheduled = false;
  const flushSoon = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      writer.flush();
    });
  };
  const writer = new PcapWriter({
    sink,
    clock,
    epoch,
    resolution: options.resolution,
    snaplen: options.snaplen,
    onPending: flushSoon,
  });
  writer.flush(); // the global header goes out at once, so a reader of the pipe starts immediately
  return {
    writer,
    target,
    close() {
      writer.close();
      if (fd >= 0) {
        closeSync(fd);
        fd = -1;
      }
    },
  };
}

/** Reads a whole pcap file (or `-` for stdin) into a {@link PcapReader}. */
export function readPcapFile(path: string): PcapReader {
  return new PcapReader(readFileSync(path === '-' ? 0 : path));
}
