/**
 * UDP endpoints as users write them: `198.51.100.2:4789`, `[2001:db8::2]:4789`.
 *
 * @module
 */
import { isIP } from 'node:net';

/** An IP address and a UDP port. */
export interface UdpEndpoint {
  address: string;
  port: number;
  /** 4 or 6. */
  family: 4 | 6;
}

/**
 * Parses `ADDR:PORT` (IPv6 in brackets). Throws a RangeError naming what is wrong. A port of 0 is refused:
 * a tunnel binds and talks to explicit ports only.
 */
export function parseUdpEndpoint(spec: string): UdpEndpoint {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(spec) ?? /^([^:]+):(\d+)$/.exec(spec);
  if (m === null) throw new RangeError(`'${spec}' is not ADDRESS:PORT`);
  const address = m[1];
  const family = isIP(address);
  if (family === 0) throw new RangeError(`'${address}' is not an IP address`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port ${m[2]} is not 1..65535`);
  return { address, port, family: family as 4 | 6 };
}

/** `ADDR:PORT`, IPv6 in brackets. */
export function formatUdpEndpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
