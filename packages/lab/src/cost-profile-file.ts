/**
 * Reading a cost profile from JSON (`ifnet lab livelock --costs FILE`): either the file `ifnet lab
 * calibrate` writes (`{"format": "ifnet-cost-profile/1", "profile": {...}, "provenance": {...}}`) or a bare
 * {@link CostProfile} object. Every cost must be a finite number ≥ 0 (ns); a field left out keeps the
 * default profile's value, so a hand-written file may name only what it changes. Bad input is a
 * `RangeError` that names the field, never a profile that poisons the virtual clock.
 *
 * @module
 */
import { type CostProfile, DEFAULT_COST_PROFILE } from '@ifnet/core';

const SCALARS = [
  'interruptEntry',
  'interruptExit',
  'continuation',
  'tick',
  'registerAccess',
  'pioPerByte',
  'layerDefault',
] as const;

function cost(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`cost profile: ${where} must be a finite number >= 0 (ns), got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The profile in `json` (parsed), over the default profile's values. */
export function parseCostProfile(json: unknown): CostProfile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RangeError('cost profile: not a JSON object');
  }
  const o = json as Record<string, unknown>;
  if (o.format !== undefined && o.format !== 'ifnet-cost-profile/1') {
    throw new RangeError(`cost profile: unknown format ${JSON.stringify(o.format)}`);
  }
  const p = (o.format !== undefined ? o.profile : o) as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new RangeError('cost profile: no profile object');
  const out: Record<string, unknown> = { ...DEFAULT_COST_PROFILE };
  for (const k of SCALARS) if (p[k] !== undefined) out[k] = cost(p[k], k);
  const layer: Record<string, number> = { ...DEFAULT_COST_PROFILE.layer };
  if (p.layer !== undefined) {
    if (typeof p.layer !== 'object' || p.layer === null || Array.isArray(p.layer)) {
      throw new RangeError('cost profile: layer must be an object of ns per layer');
    }
    for (const [k, v] of Object.entries(p.layer)) layer[k] = cost(v, `layer.${k}`);
  }
  for (const k of Object.keys(p)) {
    if (k !== 'layer' && !(SCALARS as readonly string[]).includes(k))
      throw new RangeError(`cost profile: unknown field '${k}'`);
  }
  out.layer = Object.freeze(layer);
  return Object.freeze(out) as unknown as CostProfile;
}
