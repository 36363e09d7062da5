/**
 * Starting a tunnel host from command-line options, with the errors a user can fix turned into one-line
 * usage errors (an address this machine does not have, a port in use).
 *
 * @module
 */
import { formatUdpEndpoint } from '@ifnet/tunnel';
import { UsageError } from '../usage-error.js';
import type { TunnelHostConfig } from './options.js';
import { type TunnelHost, startTunnelHost } from './tunnel-host.js';

const BIND_ERRORS: Record<string, string> = {
  EADDRNOTAVAIL: 'no such local address on this machine',
  EADDRINUSE: 'address and port already in use',
  EACCES: 'permission denied',
};

export async function openTunnelHost(config: TunnelHostConfig, name?: string): Promise<TunnelHost> {
  try {
    return await startTunnelHost(config, name);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && code in BIND_ERRORS) {
      throw new UsageError(`cannot bind ${formatUdpEndpoint(config.local)}: ${BIND_ERRORS[code]}`);
    }
    throw e;
  }
}
