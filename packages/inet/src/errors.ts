/**
 * The one error type of `@ifnet/inet`.
 *
 * Errors are for *callers*: an application that asks for something the stack cannot do (bind a port in
 * use, send to an unreachable network, send a datagram larger than the path allows with DF set) gets an
 * {@link InetError} with a {@link InetErrorCode} it can switch on, the way a BSD program switches on
 * `errno`. Bad input from the network is never an error: a malformed, truncated or misaddressed packet is
 * a counted drop with a reason (`ip.badsum`, `udp.badlen`, ...), and nothing is thrown out of an input
 * routine.
 *
 * @module
 */

/**
 * What went wrong, with the closest BSD errno in each description.
 *
 * - `bad-address`: a string that is not a dotted quad or prefix, or an address that cannot be used here
 *   (`EINVAL` / `EADDRNOTAVAIL`).
 * - `addr-in-use`: the address or port is taken (`EADDRINUSE`).
 * - `no-ports`: no free ephemeral port (`EAGAIN`).
 * - `no-route`: no route to the destination (`ENETUNREACH` / `EHOSTUNREACH`).
 * - `msgsize`: the datagram is larger than IPv4 allows, or larger than the interface MTU with DF set
 *   (`EMSGSIZE`).
 * - `nobufs`: the mbuf pool is exhausted (`ENOBUFS`).
 * - `not-connected`: `send` on a socket without a peer (`ENOTCONN`, `EDESTADDRREQ`).
 * - `closed`: the socket is closed (`EBADF`).
 * - `unreachable`: an ICMP destination unreachable came back for this traffic (`ECONNREFUSED`,
 *   `EHOSTUNREACH`).
 * - `timeout`: no answer in time (a ping).
 * - `truncated`: a buffer is shorter than the header or length it declares (representation parsing).
 * - `malformed`: a field has a value the protocol does not allow (representation parsing).
 * - `checksum`: a checksum does not verify (representation parsing).
 * - `exists`: the route or address is already configured (`EEXIST`).
 * - `not-found`: no such route or address (`ESRCH` / `EADDRNOTAVAIL`).
 * - `invalid`: an argument out of range — NaN, a fraction, a negative count, a TTL above 255, an option
 *   of the wrong type (`EINVAL`).
 */
export type InetErrorCode =
  | 'bad-address'
  | 'addr-in-use'
  | 'no-ports'
  | 'no-route'
  | 'msgsize'
  | 'nobufs'
  | 'not-connected'
  | 'closed'
  | 'unreachable'
  | 'timeout'
  | 'truncated'
  | 'malformed'
  | 'checksum'
  | 'exists'
  | 'not-found'
  | 'invalid';

export class InetError extends Error {
  readonly code: InetErrorCode;

  constructor(code: InetErrorCode, message: string) {
    super(message);
    this.name = 'InetError';
    this.code = code;
  }
}
