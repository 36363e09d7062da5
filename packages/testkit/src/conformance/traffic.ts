/**
 * Traffic helpers of the checks: exchanges with the reference peer, streams on the clock, and the
 * accounting rule (offered = delivered + named drops).
 *
 * @module
 */
import { MS, type Rig, type RigNic } from './rig.js';
import { ContractViolation, type RuleId, expectRule } from './rules.js';

/** Frame sizes (bytes without FCS) from the Ethernet minimum to a full 1500-byte MTU. */
export const FRAME_SIZES = [60, 61, 64, 65, 128, 255, 256, 512, 1000, 1023, 1024, 1280, 1499, 1514];

function drops(nic: RigNic): string {
  const d = nic.ifp.counters.drops;
  const keys = Object.keys(d).filter((k) => d[k] > 0);
  return keys.length === 0 ? 'no drops counted' : `drops counted: ${keys.map((k) => `${k}=${d[k]}`).join(', ')}`;
}

/**
 * Sends one frame of each size from the peer to the interface and from the interface to the peer, then
 * checks that each arrived byte for byte. `rule` names the contract rule a failure breaks.
 */
export function exchange(rig: Rig, nic: RigNic, sizes: readonly number[], rule: RuleId): void {
  const inbound: { seq: number; len: number }[] = [];
  const outbound: { seq: number; bytes: Uint8Array }[] = [];
  const before = rig.peerFrames(nic).length;
  for (const len of sizes) {
    inbound.push({ seq: rig.peerSend(nic, len), len });
    rig.run(200_000);
    const seq = rig.hostSend(nic, len);
    outbound.push({ seq, bytes: rig.lastSent });
    rig.run(200_000);
  }
  rig.run(5 * MS);
  const got = new Set(rig.delivered(nic));
  const corrupt = rig.probe.log(nic.ifp.name).corrupt;
  expectRule(corrupt.length === 0, rule, () => `a received frame arrived corrupted (${corrupt[0]})`);
  for (const f of inbound) {
    expectRule(
      got.has(f.seq),
      rule,
      () =>
        `a ${f.len}-byte frame from the peer to ${nic.ifp.name} never reached the protocol (interface ${nic.ifp.up ? 'up' : 'down'}, link ${nic.ifp.linkState}, ${nic.ifp.counters.ipackets} packets through if_input, ${rig.obs.intrClaimed} interrupts claimed; ${drops(nic)})`,
    );
  }
  const seen = rig.peerFrames(nic).slice(before);
  for (const f of outbound) {
    const match = seen.find((b) => sameBytes(b, f.bytes));
    if (match !== undefined) continue;
    const sameSeq = seen.find((b) => new DataView(b.buffer, b.byteOffset).getUint32(18) === f.seq);
    throw new ContractViolation(
      rule,
      sameSeq === undefined
        ? `a ${f.bytes.length}-byte frame transmitted on ${nic.ifp.name} never reached the peer (${nic.ifp.counters.opackets} packets counted as sent; ${drops(nic)})`
        : `a ${f.bytes.length}-byte frame transmitted on ${nic.ifp.name} reached the peer altered (${sameSeq.length} bytes, first difference at byte ${firstDiff(sameSeq, f.bytes)})`,
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** The peer sends `count` frames of `len` bytes at `rate` frames/s, starting now, on the clock. */
export function stream(rig: Rig, nic: RigNic, rate: number, count: number, len = 60): () => number {
  let sent = 0;
  const interval = Math.max(1, Math.round(1e9 / rate));
  const timer = rig.sim.clock.createTimer('testkit.stream', () => {
    rig.peerSend(nic, len);
    if (++sent < count) timer.armAfter(interval);
  });
  timer.armAfter(1);
  return () => sent;
}

/** A snapshot for the accounting rule: probe deliveries and named drops of one interface. */
export interface AccountingMark {
  delivered: number;
  drops: number;
}

export function mark(rig: Rig, nic: RigNic): AccountingMark {
  return { delivered: rig.delivered(nic).length, drops: rig.drops(nic) };
}

/**
 * Brings the interface down (so the driver harvests what the device counted and flushes its rings) and
 * checks `offered` = delivered + named drops since `from`.
 */
export async function expectAccounted(
  rig: Rig,
  nic: RigNic,
  from: AccountingMark,
  offered: number,
  what: string,
): Promise<void> {
  rig.run(20 * MS);
  await nic.ifp.down();
  rig.run(MS);
  const delivered = rig.delivered(nic).length - from.delivered;
  const dropped = rig.drops(nic) - from.drops;
  expectRule(
    delivered + dropped === offered,
    'accounting',
    () =>
      `${what}: the peer offered ${offered} frames to ${nic.ifp.name}; ${delivered} were delivered and ${dropped} dropped with a named reason, so ${offered - delivered - dropped} are unaccounted for (${drops(nic)}): count every loss with ifp.countDrop(reason) — including what the device reports missing — at the latest when the interface goes down`,
  );
}
