/**
 * Structural check of Chrome / Perfetto trace-event JSON, as the Trace Event Format defines it and as
 * Perfetto's JSON importer needs it: a `traceEvents` array; every event with a string `name`, a known
 * `ph`, numeric `pid`/`tid` and a finite `ts` ≥ 0 (µs); `X` events with a `dur` ≥ 0; per track
 * (`pid`/`tid`) timestamps that never decrease in file order and `B`/`E` pairs that balance (never an `E`
 * without an open `B`, none left open); instants with a valid scope; every track that has events named
 * by `thread_name` metadata. Returns the problems found (empty: well-formed).
 *
 * @module
 */

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'M', 'C']);
const SCOPES = new Set(['g', 'p', 't']);

/** The problems of `trace` (parsed JSON); at most `limit` are reported. */
export function checkChromeTrace(trace: unknown, limit = 20): string[] {
  const problems: string[] = [];
  const add = (p: string) => {
    if (problems.length < limit) problems.push(p);
  };
  if (typeof trace !== 'object' || trace === null || !Array.isArray((trace as { traceEvents?: unknown }).traceEvents)) {
    return ['no traceEvents array'];
  }
  const events = (trace as { traceEvents: unknown[] }).traceEvents;
  const last = new Map<string, number>();
  const open = new Map<string, number>();
  const named = new Set<string>();
  const used = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Record<string, unknown>;
    const at = `event ${i}`;
    if (typeof e !== 'object' || e === null) {
      add(`${at}: not an object`);
      continue;
    }
    if (typeof e.name !== 'string') add(`${at}: name is not a string`);
    if (e.cat !== undefined && typeof e.cat !== 'string') add(`${at}: cat is not a string`);
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) {
      add(`${at}: unknown ph ${String(e.ph)}`);
      continue;
    }
    if (typeof e.pid !== 'number' || typeof e.tid !== 'number') {
      add(`${at}: pid/tid not numbers`);
      continue;
    }
    const track = `${e.pid}/${e.tid}`;
    if (e.ph === 'M') {
      if (e.name === 'thread_name') named.add(track);
      continue;
    }
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) {
      add(`${at}: bad ts ${String(e.ts)}`);
      continue;
    }
    used.add(track);
    const prev = last.get(track) ?? Number.NEGATIVE_INFINITY;
    if (e.ts < prev) add(`${at}: ts ${e.ts} before ${prev} on track ${track}`);
    last.set(track, e.ts);
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0)) add(`${at}: X without a dur >= 0`);
    if ((e.ph === 'i' || e.ph === 'I') && e.s !== undefined && !SCOPES.has(String(e.s)))
      add(`${at}: instant scope ${String(e.s)}`);
    if (e.ph === 'B') open.set(track, (open.get(track) ?? 0) + 1);
    if (e.ph === 'E') {
      const n = open.get(track) ?? 0;
      if (n === 0) add(`${at}: E without an open B on track ${track}`);
      else open.set(track, n - 1);
    }
  }
  for (const [track, n] of open) if (n > 0) add(`track ${track}: ${n} B left open`);
  for (const track of used) if (!named.has(track)) add(`track ${track}: no thread_name`);
  return problems;
}
