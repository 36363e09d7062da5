/**
 * The machinery of the composable checkers (gVisor's `checker` package): a checker is a function applied
 * to one protocol layer of a packet; layer checkers (`IPv4`, `UDP`, ...) validate their header, run their
 * field checkers, and hand their payload to the nested layer checkers. A mismatch throws a
 * {@link PacketCheckError} naming the path of layers, the field, and both values.
 *
 * @module
 */

export type LayerKind = 'Ethernet' | 'ARP' | 'IPv4' | 'ICMP' | 'UDP';

/** One layer of a packet being checked: its header starts at `off`, `len` bytes to the end of the layer. */
export interface Layer {
  readonly kind: LayerKind;
  readonly b: Uint8Array;
  readonly off: number;
  readonly len: number;
  /** `Ethernet > IPv4 > UDP`. */
  readonly path: string;
  /** Source and destination of the enclosing IPv4 packet (for pseudo-header checksums). */
  readonly ip?: { src: number; dst: number };
}

/** A field checker or a nested layer checker. */
export type Checker = (layer: Layer) => void;

export class PacketCheckError extends Error {
  constructor(
    readonly path: string,
    readonly field: string,
    readonly got: string,
    readonly want: string,
  ) {
    super(`${path} ${field}: got ${got}, want ${want}`);
    this.name = 'PacketCheckError';
  }
}

export function fail(l: Layer, field: string, got: unknown, want: unknown): never {
  throw new PacketCheckError(l.path, field, String(got), String(want));
}

/** Throws unless `got === want`; values are shown with `show` (decimal by default). */
export function expectField<T>(l: Layer, field: string, got: T, want: T, show: (v: T) => string = String): void {
  if (got !== want) throw new PacketCheckError(l.path, field, show(got), show(want));
}

/** A field checker that applies to the given layer kinds only (a wrong nesting is reported, not ignored). */
export function fieldChecker(name: string, kinds: readonly LayerKind[], check: (l: Layer) => void): Checker {
  return (l) => {
    if (!kinds.includes(l.kind))
      throw new PacketCheckError(l.path, name, `a checker for ${kinds.join('/')}`, `one that applies to ${l.kind}`);
    check(l);
  };
}

export const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** Runs `checkers` on the layer (`{ kind, b, off, len }`), the entry point of every layer checker. */
export function runLayer(layer: Layer, checkers: readonly Checker[]): void {
  for (const c of checkers) c(layer);
}

/** `IPv4(bytes, ...)` or nested `IPv4(...)`: returns a checker when called without bytes. */
export function layerChecker(
  kind: LayerKind,
  validate: (l: Layer) => Layer,
): (first?: Uint8Array | Checker, ...rest: Checker[]) => Checker {
  return (first, ...rest) => {
    if (first instanceof Uint8Array) {
      const root: Layer = { kind, b: first, off: 0, len: first.length, path: kind };
      runLayer(validate(root), rest);
      return () => {};
    }
    const checkers = first === undefined ? rest : [first, ...rest];
    return (parent) => {
      const l: Layer = { ...parent, kind, path: `${parent.path} > ${kind}` };
      runLayer(validate(l), checkers);
    };
  };
}
