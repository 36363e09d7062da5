/**
 * Register-access tracing for device models, in the spirit of QEMU's trace events (`-trace e1000*`):
 * every read and write a driver makes through a {@link BusSpace} — offset, width, value, and the register's
 * name when the device model supplies a name table ({@link DeviceModel.registerNames}) — recorded for a
 * test to assert on, or printed as it happens.
 *
 * Attach one with `host.traceRegisters({ filter: 'IM*' })` (every device of the host, including devices
 * plugged in later) or `busSpace.trace(tracer)` (one window). Tracing off costs one null check per access;
 * tracing on allocates one record per access, so it is a debugging tool, not something benchmarks run.
 *
 * @module
 */

/** Register names of one window, by byte offset (a table, or a function for computed ranges). */
export type RegisterNames = Readonly<Record<number, string>> | ((offset: number) => string | undefined);

/** One register access, as a tracer sees it. */
export interface RegisterAccess {
  /** Time of the access (ns, the CPU's clock). */
  readonly time: number;
  /** Bus space name, e.g. `pci0:0 BAR0`. */
  readonly bus: string;
  readonly op: 'read' | 'write';
  readonly width: 8 | 16 | 32;
  readonly offset: number;
  /** Value written, or value the read returned. */
  readonly value: number;
  /** Register name from the device model's table, or undefined. */
  readonly name: string | undefined;
  /** True when the access was outside the window or misaligned (counted in `stats.errors`). */
  readonly error: boolean;
}

/** Something that receives register accesses (a {@link RegisterTrace}, or a test's own function object). */
export interface RegisterTracer {
  access(a: RegisterAccess): void;
}

/** Looks a name up in a name table. */
export function registerName(names: RegisterNames | undefined, offset: number): string | undefined {
  if (names === undefined) return undefined;
  return typeof names === 'function' ? names(offset) : names[offset];
}

/** `t=1200 pci0:0 BAR0 write32 IMS[0x00d0] = 0x00000080` (what {@link RegisterTrace} prints; time in whole ns). */
export function formatRegisterAccess(a: RegisterAccess): string {
  const off = `0x${a.offset.toString(16).padStart(4, '0')}`;
  const reg = a.name === undefined ? off : `${a.name}[${off}]`;
  const val = `0x${(a.value >>> 0).toString(16).padStart(a.width / 4, '0')}`;
  return `t=${Math.round(a.time)} ${a.bus} ${a.op}${a.width} ${reg} ${a.op === 'read' ? '->' : '='} ${val}${a.error ? ' (bus error)' : ''}`;
}

export interface RegisterTraceOptions {
  /**
   * Which accesses to keep: a glob (`*` and `?`, matched against the register name and against
   * `<bus> <name>`, case-insensitive: `'IM*'`, `'pci0:1*'`), a RegExp tested the same way, or a predicate.
   * Default: everything.
   */
  filter?: string | RegExp | ((a: RegisterAccess) => boolean);
  /** Keep at most this many records (the most recent; older ones are counted in `dropped`). Default 10,000. */
  limit?: number;
  /** Also print each kept access (e.g. `console.log`), formatted by {@link formatRegisterAccess}. */
  print?: (line: string) => void;
}

/** A tracer that keeps the most recent matching accesses in order. */
export class RegisterTrace implements RegisterTracer {
  private readonly ring: RegisterAccess[] = [];
  private start = 0;
  private readonly limit: number;
  private readonly match: (a: RegisterAccess) => boolean;
  private readonly print: ((line: string) => void) | undefined;
  /** Records pushed out by the limit. */
  dropped = 0;
  /** Called by {@link stop}: set by whoever attached the trace. */
  onStop: (() => void) | undefined;

  constructor(options: RegisterTraceOptions = {}) {
    this.limit = options.limit ?? 10_000;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError(`RegisterTrace: bad limit ${this.limit}`);
    this.match = compileFilter(options.filter);
    this.print = options.print;
  }

  access(a: RegisterAccess): void {
    if (!this.match(a)) return;
    if (this.ring.length < this.limit) this.ring.push(a);
    else {
      this.ring[this.start] = a;
      this.start = (this.start + 1) % this.limit;
      this.dropped++;
    }
    this.print?.(formatRegisterAccess(a));
  }

  /** The kept accesses, oldest first. */
  get records(): RegisterAccess[] {
    return this.ring.slice(this.start).concat(this.ring.slice(0, this.start));
  }

  /** The kept accesses as lines ({@link formatRegisterAccess}). */
  lines(): string[] {
    return this.records.map(formatRegisterAccess);
  }

  /** `op name` of each kept access (`['write IMC', 'read ICR', ...]`): compact for assertions. */
  names(): string[] {
    return this.records.map((a) => `${a.op} ${a.name ?? `0x${a.offset.toString(16)}`}`);
  }

  clear(): void {
    this.ring.length = 0;
    this.start = 0;
    this.dropped = 0;
  }

  /** Detaches the trace from what it was attached to. */
  stop(): void {
    this.onStop?.();
    this.onStop = undefined;
  }
}

function compileFilter(f: RegisterTraceOptions['filter']): (a: RegisterAccess) => boolean {
  if (f === undefined) return () => true;
  if (typeof f === 'function') return f;
  const re =
    typeof f === 'string'
      ? new RegExp(
          `^${f
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          'i',
        )
      : f;
  return (a) => {
    const name = a.name ?? `0x${a.offset.toString(16)}`;
    re.lastIndex = 0;
    if (re.test(name)) return true;
    re.lastIndex = 0;
    return re.test(`${a.bus} ${name}`);
  };
}
