import type { XfrmPolicySpec, XfrmTmplSpec } from './xfrm-policy.js';
import { XFRM_AEAD_RFC4106, type XfrmStateSpec } from './xfrm-state.js';

/**
 * The command-line grammar of `ip xfrm state add` and `ip xfrm policy add` (ip-xfrm(8)), for the subset
 * this package implements, so that a configuration is written the same way for Linux and for ifnet:
 *
 * ```text
 * src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
 *     aead 'rfc4106(gcm(aes))' 0x<key><salt> 128 replay-window 32
 * src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 mode transport aead 'rfc4106(gcm(aes))' 0x<key><salt> 128 \
 *     flag esn replay-window 128 replay-seq 0xffffffff replay-seq-hi 0 replay-oseq 0 replay-oseq-hi 0
 * src 192.0.2.1 dst 192.0.2.2 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode transport
 * ```
 *
 * A leading `ip xfrm state add` / `ip xfrm policy add` (or any tail of it) is accepted. Quotes are
 * removed as a shell would. Numbers are decimal or `0x` hex, as `ip` reads them. Anything else — another
 * keyword, a missing value, a keyword given twice — throws an `Error` naming it.
 *
 * @module
 */

/** Splits like a shell: whitespace separates words, single or double quotes group and are removed. */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote = '';
  for (const c of text) {
    if (quote !== '') {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== '') throw new Error(`unterminated ${quote} quote in: ${text}`);
  if (inWord) words.push(cur);
  return words;
}

function stripPrefix(words: string[], object: 'state' | 'policy'): string[] {
  const prefix = ['ip', 'xfrm', object, 'add'];
  for (let i = 0; i < prefix.length; i++) {
    const tail = prefix.slice(i);
    if (tail.every((w, k) => words[k] === w)) return words.slice(tail.length);
  }
  return words;
}

/** `ip`'s number syntax: decimal or 0x hex, unsigned 32-bit. */
function u32(what: string, w: string | undefined): number {
  if (w === undefined) throw new Error(`${what}: value missing`);
  const n = /^0x[0-9a-f]+$/i.test(w) ? Number.parseInt(w.slice(2), 16) : /^[0-9]+$/.test(w) ? Number(w) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new Error(`${what}: not a 32-bit number: '${w}'`);
  return n;
}

function value(words: string[], i: number, what: string): string {
  const w = words[i];
  if (w === undefined) throw new Error(`${what}: value missing`);
  return w;
}

/** Reads `KEY VALUE` pairs from `words[i..]` until a keyword not in `keys`; returns the index after. */
function pairs(words: string[], i: number, keys: readonly string[], into: Map<string, string>, ctx: string): number {
  while (i < words.length && keys.includes(words[i])) {
    const k = words[i];
    if (into.has(k)) throw new Error(`${ctx}: '${k}' given twice`);
    into.set(k, value(words, i + 1, `${ctx} ${k}`));
    i += 2;
  }
  return i;
}

function required(m: Map<string, string>, k: string, ctx: string): string {
  const v = m.get(k);
  if (v === undefined) throw new Error(`${ctx}: '${k}' is required`);
  return v;
}

const STATE_KEYS = [
  'src',
  'dst',
  'proto',
  'spi',
  'reqid',
  'mode',
  'replay-window',
  'replay-seq',
  'replay-seq-hi',
  'replay-oseq',
  'replay-oseq-hi',
] as const;

/** The flag names of ip-xfrm(8)'s `flag FLAG-LIST`; only `esn` is implemented, the others are refused by name. */
const LINUX_STATE_FLAGS = ['noecn', 'decap-dscp', 'nopmtudisc', 'wildrecv', 'icmp', 'af-unspec', 'align4', 'esn'];

/**
 * Parses the arguments of `ip xfrm state add` into an {@link XfrmStateSpec}. Validation of values (key
 * length, SPI range, mode) is {@link createXfrmState}'s; this checks the grammar.
 */
export function parseXfrmState(args: string | string[]): XfrmStateSpec {
  const ctx = 'xfrm state';
  const words = stripPrefix(typeof args === 'string' ? splitArgs(args) : args, 'state');
  const kv = new Map<string, string>();
  let aead: XfrmStateSpec['aead'] | undefined;
  let esn = false;
  let i = 0;
  while (i < words.length) {
    const j = pairs(words, i, STATE_KEYS, kv, ctx);
    if (j > i) {
      i = j;
      continue;
    }
    if (words[i] === 'flag') {
      // `flag esn [more flags]`: every following word that names a flag belongs to the list.
      let j = i + 1;
      while (j < words.length && LINUX_STATE_FLAGS.includes(words[j])) {
        if (words[j] !== 'esn') throw new Error(`${ctx}: flag ${words[j]} not supported (esn)`);
        esn = true;
        j++;
      }
      if (j === i + 1) throw new Error(`${ctx}: flag: a flag name is required (esn)`);
      i = j;
      continue;
    }
    if (words[i] !== 'aead') {
      throw new Error(
        `${ctx}: unknown or unsupported keyword '${words[i]}' (have: ${STATE_KEYS.join(', ')}, aead, flag esn)`,
      );
    }
    if (aead !== undefined) throw new Error(`${ctx}: 'aead' given twice`);
    const name = value(words, i + 1, `${ctx} aead name`);
    const key = value(words, i + 2, `${ctx} aead key`);
    const icv = u32(`${ctx} aead icv-len`, words[i + 3]);
    if (name !== XFRM_AEAD_RFC4106) throw new Error(`${ctx}: aead ${name} not supported (${XFRM_AEAD_RFC4106})`);
    if (!/^0x[0-9a-f]+$/i.test(key)) throw new Error(`${ctx}: aead key must be 0x followed by hex, got '${key}'`);
    aead = { name: XFRM_AEAD_RFC4106, key, icvBits: icv };
    i += 4;
  }
  if (aead === undefined) throw new Error(`${ctx}: 'aead rfc4106(gcm(aes)) 0x<key+salt> 128' is required`);
  const proto = required(kv, 'proto', ctx);
  if (proto !== 'esp') throw new Error(`${ctx}: proto ${proto} not supported (esp)`);
  const mode = kv.get('mode') ?? 'transport';
  if (mode !== 'transport') throw new Error(`${ctx}: mode ${mode} not supported (transport)`);
  const spec: XfrmStateSpec = {
    src: required(kv, 'src', ctx),
    dst: required(kv, 'dst', ctx),
    proto: 'esp',
    spi: u32(`${ctx} spi`, required(kv, 'spi', ctx)),
    mode: 'transport',
    aead,
  };
  if (kv.has('reqid')) spec.reqid = u32(`${ctx} reqid`, kv.get('reqid'));
  if (kv.has('replay-window')) spec.replayWindow = u32(`${ctx} replay-window`, kv.get('replay-window'));
  if (esn) spec.esn = true;
  if (kv.has('replay-seq')) spec.replaySeq = u32(`${ctx} replay-seq`, kv.get('replay-seq'));
  if (kv.has('replay-seq-hi')) spec.replaySeqHi = u32(`${ctx} replay-seq-hi`, kv.get('replay-seq-hi'));
  if (kv.has('replay-oseq')) spec.replayOseq = u32(`${ctx} replay-oseq`, kv.get('replay-oseq'));
  if (kv.has('replay-oseq-hi')) spec.replayOseqHi = u32(`${ctx} replay-oseq-hi`, kv.get('replay-oseq-hi'));
  return spec;
}

const POLICY_KEYS = ['src', 'dst', 'dir', 'action'] as const;
const TMPL_KEYS = ['src', 'dst', 'proto', 'spi', 'reqid', 'mode', 'level'] as const;

/** Parses the arguments of `ip xfrm policy add` into an {@link XfrmPolicySpec}. */
export function parseXfrmPolicy(args: string | string[]): XfrmPolicySpec {
  const ctx = 'xfrm policy';
  const words = stripPrefix(typeof args === 'string' ? splitArgs(args) : args, 'policy');
  const kv = new Map<string, string>();
  let i = pairs(words, 0, POLICY_KEYS, kv, ctx);
  let tmpl: XfrmTmplSpec | undefined;
  if (words[i] === 'tmpl') {
    const t = new Map<string, string>();
    i = pairs(words, i + 1, TMPL_KEYS, t, `${ctx} tmpl`);
    const proto = required(t, 'proto', `${ctx} tmpl`);
    if (proto !== 'esp') throw new Error(`${ctx} tmpl: proto ${proto} not supported (esp)`);
    const mode = t.get('mode') ?? 'transport';
    if (mode !== 'transport') throw new Error(`${ctx} tmpl: mode ${mode} not supported (transport)`);
    const level = t.get('level') ?? 'required';
    if (level !== 'required') throw new Error(`${ctx} tmpl: level ${level} not supported (required)`);
    tmpl = { src: t.get('src') ?? '0.0.0.0', dst: t.get('dst') ?? '0.0.0.0', proto: 'esp', mode: 'transport' };
    if (t.has('spi')) tmpl.spi = u32(`${ctx} tmpl spi`, t.get('spi'));
    if (t.has('reqid')) tmpl.reqid = u32(`${ctx} tmpl reqid`, t.get('reqid'));
  }
  if (i < words.length) {
    throw new Error(
      `${ctx}: unknown or unsupported keyword '${words[i]}' (have: ${POLICY_KEYS.join(', ')}, tmpl ${TMPL_KEYS.join(', ')})`,
    );
  }
  const dir = required(kv, 'dir', ctx);
  if (dir !== 'in' && dir !== 'out') throw new Error(`${ctx}: dir ${dir} not supported (in, out)`);
  const action = kv.get('action') ?? 'allow';
  if (action !== 'allow' && action !== 'block') throw new Error(`${ctx}: action ${action} (allow or block)`);
  const spec: XfrmPolicySpec = { src: kv.get('src') ?? '0.0.0.0/0', dst: kv.get('dst') ?? '0.0.0.0/0', dir };
  if (kv.has('action')) spec.action = action;
  if (tmpl !== undefined) spec.tmpl = tmpl;
  return spec;
}
