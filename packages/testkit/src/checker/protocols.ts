/**
 * Layer checkers and field checkers for Ethernet II, ARP, IPv4, ICMP and UDP. Each layer checker also
 * validates what every correct header must satisfy (version, lengths, checksums with the kit's own
 * RFC 1071 sum), before the field checkers run.
 *
 * @module
 */
import {
  formatIpv4,
  formatMacAddr,
  ipv4Addr,
  macAddr,
  onesComplementSum,
  pseudoHeaderSum,
} from '../packet/checksum.js';
import { type Checker, type Layer, expectField, fail, fieldChecker, hex16, layerChecker } from './layer.js';

const u16 = (l: Layer, at: number) => (l.b[l.off + at] << 8) | l.b[l.off + at + 1];
const u32 = (l: Layer, at: number) =>
  ((l.b[l.off + at] << 24) | (l.b[l.off + at + 1] << 16) | (l.b[l.off + at + 2] << 8) | l.b[l.off + at + 3]) >>> 0;
const payload = (l: Layer, hlen: number): Layer => ({ ...l, off: l.off + hlen, len: l.len - hlen });

function need(l: Layer, n: number, what: string): void {
  if (l.len < n) fail(l, `length (${what})`, `${l.len} bytes`, `at least ${n}`);
}

// ---- Ethernet -------------------------------------------------------------------------------------

/** `Ethernet(frame, EthDst(..), EtherType(..), IPv4(...))`: nested checkers see the payload. */
export const Ethernet = layerChecker('Ethernet', (l) => {
  need(l, 14, 'Ethernet header');
  return l;
});

const ethPayload = (l: Layer) => payload(l, 14);

export const EthDst = (mac: string | Uint8Array): Checker =>
  fieldChecker('destination', ['Ethernet'], (l) =>
    expectField(l, 'destination', formatMacAddr(l.b, l.off), formatMacAddr(macAddr(mac))),
  );
export const EthSrc = (mac: string | Uint8Array): Checker =>
  fieldChecker('source', ['Ethernet'], (l) =>
    expectField(l, 'source', formatMacAddr(l.b, l.off + 6), formatMacAddr(macAddr(mac))),
  );
export const EtherType = (type: number): Checker =>
  fieldChecker('ethertype', ['Ethernet'], (l) => expectField(l, 'ethertype', u16(l, 12), type, hex16));

// ---- ARP ----------------------------------------------------------------------------------------------

export const ARP = layerChecker('ARP', (l0) => {
  const at = fromEthernet(l0, 0x0806);
  need(at, 28, 'ARP for IPv4 over Ethernet');
  expectField(at, 'hardware type', u16(at, 0), 1);
  expectField(at, 'protocol type', u16(at, 2), 0x0800, hex16);
  expectField(at, 'hardware length', at.b[at.off + 4], 6);
  expectField(at, 'protocol length', at.b[at.off + 5], 4);
  return at;
});

export const ArpOp = (op: number): Checker =>
  fieldChecker('operation', ['ARP'], (l) => expectField(l, 'operation', u16(l, 6), op));
export const ArpSenderHw = (mac: string | Uint8Array): Checker =>
  fieldChecker('sender hardware address', ['ARP'], (l) =>
    expectField(l, 'sender hardware address', formatMacAddr(l.b, l.off + 8), formatMacAddr(macAddr(mac))),
  );
export const ArpSenderIp = (ip: string | number): Checker =>
  fieldChecker('sender protocol address', ['ARP'], (l) =>
    expectField(l, 'sender protocol address', formatIpv4(u32(l, 14)), formatIpv4(ipv4Addr(ip))),
  );
export const ArpTargetHw = (mac: string | Uint8Array): Checker =>
  fieldChecker('target hardware address', ['ARP'], (l) =>
    expectField(l, 'target hardware address', formatMacAddr(l.b, l.off + 18), formatMacAddr(macAddr(mac))),
  );
export const ArpTargetIp = (ip: string | number): Checker =>
  fieldChecker('target protocol address', ['ARP'], (l) =>
    expectField(l, 'target protocol address', formatIpv4(u32(l, 24)), formatIpv4(ipv4Addr(ip))),
  );

/**
 * A layer nested under Ethernet starts after the Ethernet header and must carry the right ethertype; at
 * the top level the bytes are the layer itself.
 */
function fromEthernet(l: Layer, type: number): Layer {
  if (!l.path.endsWith(`Ethernet > ${l.kind}`)) return l;
  const eth: Layer = { ...l, kind: 'Ethernet', path: l.path.slice(0, l.path.lastIndexOf(' > ')) };
  expectField(eth, 'ethertype', u16(eth, 12), type, hex16);
  return { ...ethPayload(l), kind: l.kind, path: l.path };
}

// ---- IPv4 ---------------------------------------------------------------------------------------------

export const IPv4 = layerChecker('IPv4', (l0) => {
  const l = fromEthernet(l0, 0x0800);
  need(l, 20, 'IPv4 header');
  expectField(l, 'version', l.b[l.off] >>> 4, 4);
  const hlen = (l.b[l.off] & 0x0f) * 4;
  if (hlen < 20 || hlen > l.len) fail(l, 'header length', `${hlen} bytes`, `20..${Math.min(60, l.len)}`);
  const total = u16(l, 2);
  if (total < hlen || total > l.len) fail(l, 'total length', total, `${hlen}..${l.len} (the bytes present)`);
  const sum = onesComplementSum(l.b, l.off, hlen);
  if (sum !== 0xffff)
    fail(l, 'header checksum', hex16(u16(l, 10)), `a value that sums to 0xffff (one's complement sum ${hex16(sum)})`);
  return { ...l, len: total, ip: { src: u32(l, 12), dst: u32(l, 16) } };
});

const ipHeaderLength = (l: Layer) => (l.b[l.off] & 0x0f) * 4;

export const SrcAddr = (ip: string | number): Checker =>
  fieldChecker('source address', ['IPv4'], (l) =>
    expectField(l, 'source address', formatIpv4(u32(l, 12)), formatIpv4(ipv4Addr(ip))),
  );
export const DstAddr = (ip: string | number): Checker =>
  fieldChecker('destination address', ['IPv4'], (l) =>
    expectField(l, 'destination address', formatIpv4(u32(l, 16)), formatIpv4(ipv4Addr(ip))),
  );
export const TTL = (ttl: number): Checker =>
  fieldChecker('TTL', ['IPv4'], (l) => expectField(l, 'TTL', l.b[l.off + 8], ttl));
export const TOS = (tos: number): Checker =>
  fieldChecker('TOS', ['IPv4'], (l) => expectField(l, 'TOS', l.b[l.off + 1], tos));
export const Protocol = (p: number): Checker =>
  fieldChecker('protocol', ['IPv4'], (l) => expectField(l, 'protocol', l.b[l.off + 9], p));
export const ID = (id: number): Checker =>
  fieldChecker('identification', ['IPv4'], (l) => expectField(l, 'identification', u16(l, 4), id));
export const TotalLength = (n: number): Checker =>
  fieldChecker('total length', ['IPv4'], (l) => expectField(l, 'total length', u16(l, 2), n));
export const DontFragment = (set: boolean): Checker =>
  fieldChecker('DF flag', ['IPv4'], (l) => expectField(l, 'DF flag', (u16(l, 6) & 0x4000) !== 0, set));
export const MoreFragments = (set: boolean): Checker =>
  fieldChecker('MF flag', ['IPv4'], (l) => expectField(l, 'MF flag', (u16(l, 6) & 0x2000) !== 0, set));
/** Fragment offset in bytes. */
export const FragmentOffset = (bytes: number): Checker =>
  fieldChecker('fragment offset', ['IPv4'], (l) => expectField(l, 'fragment offset', (u16(l, 6) & 0x1fff) * 8, bytes));

function transport(l: Layer, proto: number, name: string): Layer {
  if (l.ip === undefined) return l; // checked on its own bytes
  const ip: Layer = { ...l, kind: 'IPv4', path: l.path.slice(0, l.path.lastIndexOf(' > ')) };
  expectField(ip, 'protocol', l.b[l.off + 9], proto);
  const hlen = ipHeaderLength(l);
  if ((u16(l, 6) & 0x1fff) !== 0)
    fail(ip, 'fragment offset', (u16(l, 6) & 0x1fff) * 8, `0 (a non-first fragment carries no ${name} header)`);
  return { ...payload(l, hlen), kind: l.kind, path: l.path };
}

// ---- ICMP ---------------------------------------------------------------------------------------------

export const ICMP = layerChecker('ICMP', (l0) => {
  const l = transport(l0, 1, 'ICMP');
  need(l, 8, 'ICMP header');
  const sum = onesComplementSum(l.b, l.off, l.len);
  if (sum !== 0xffff)
    fail(l, 'checksum', hex16(u16(l, 2)), `a value that sums to 0xffff (one's complement sum ${hex16(sum)})`);
  return l;
});

export const ICMPType = (t: number): Checker =>
  fieldChecker('type', ['ICMP'], (l) => expectField(l, 'type', l.b[l.off], t));
export const ICMPCode = (c: number): Checker =>
  fieldChecker('code', ['ICMP'], (l) => expectField(l, 'code', l.b[l.off + 1], c));
export const ICMPId = (id: number): Checker =>
  fieldChecker('identifier', ['ICMP'], (l) => expectField(l, 'identifier', u16(l, 4), id));
export const ICMPSeq = (seq: number): Checker =>
  fieldChecker('sequence number', ['ICMP'], (l) => expectField(l, 'sequence number', u16(l, 6), seq));

// ---- UDP ----------------------------------------------------------------------------------------------

export const UDP = layerChecker('UDP', (l0) => {
  const l = transport(l0, 17, 'UDP');
  need(l, 8, 'UDP header');
  const len = u16(l, 4);
  if (len < 8 || len > l.len) fail(l, 'length', len, `8..${l.len} (the bytes present)`);
  const stored = u16(l, 6);
  if (stored !== 0 && l0.ip !== undefined) {
    const sum = onesComplementSum(l.b, l.off, len, pseudoHeaderSum(l0.ip.src, l0.ip.dst, 17, len));
    if (sum !== 0xffff)
      fail(l, 'checksum', hex16(stored), `a value that sums to 0xffff with the pseudo-header (sum ${hex16(sum)})`);
  }
  return { ...l, len };
});

export const SrcPort = (p: number): Checker =>
  fieldChecker('source port', ['UDP'], (l) => expectField(l, 'source port', u16(l, 0), p));
export const DstPort = (p: number): Checker =>
  fieldChecker('destination port', ['UDP'], (l) => expectField(l, 'destination port', u16(l, 2), p));
/** `true`: a checksum is present (non-zero); `false`: none (0). Its value is always verified when present. */
export const UDPChecksumPresent = (present: boolean): Checker =>
  fieldChecker('checksum present', ['UDP'], (l) => expectField(l, 'checksum present', u16(l, 6) !== 0, present));

// ---- payloads -----------------------------------------------------------------------------------------

const HEADER: Record<string, number> = { Ethernet: 14, ARP: 28, ICMP: 8, UDP: 8 };

/** The layer's payload (after its header) is exactly `want`. */
export const Payload = (want: Uint8Array): Checker =>
  fieldChecker('payload', ['Ethernet', 'ICMP', 'UDP', 'IPv4'], (l) => {
    const h = l.kind === 'IPv4' ? ipHeaderLength(l) : HEADER[l.kind];
    const n = l.len - h;
    if (n !== want.length) fail(l, 'payload length', n, want.length);
    for (let i = 0; i < n; i++) {
      if (l.b[l.off + h + i] !== want[i]) fail(l, `payload byte ${i}`, hex8(l.b[l.off + h + i]), hex8(want[i]));
    }
  });

const hex8 = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
