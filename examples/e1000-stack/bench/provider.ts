/**
 * The e1000 under the whole stack as a benchkit {@link PacketBenchProvider}, for `ifnet bench`: the paths
 * the e1000 package cannot measure itself, because `@ifnet/inet` dev-depends on `@ifnet/e1000` (a package
 * cycle). The e1000's own provider keeps `sink`; this one reports under the same name, `e1000`.
 *
 * Cases (real clock, 64-frame bursts, the rigs and workloads of `src/`, the references of `references.ts`):
 * - `rx`, `rx_1514`: e1000 → wm → `if_input` → Ethernet → IPv4 → UDP → socket, next to benchkit's fused
 *   UDP reference (the same copy, Ethernet dispatch, IPv4 checksum and UDP demux);
 * - `echo` (60-byte requests, the minimum frame), `echo_98` (`ping`'s default 56 data bytes): ICMP echo
 *   through the e1000 both ways, next to a hand-written single-function responder.
 *
 * @module
 */
import {
  FUSED_UDP_REFERENCE,
  type PacketBenchCase,
  type PacketBenchProvider,
  SMALL_FRAME_BASIS,
} from '@ifnet/benchkit';
import { type Rig, echoRequestFrame, makeRig, udpFrame } from '../src/rig.js';
import { echo, receiveToSocket } from '../src/workloads.js';
import { ECHO_REFERENCE, refEcho, refUdp } from './references.js';

const RX_NAME = 'e1000 -> wm -> ether -> ip -> udp -> socket';

/** The provider: one real-clock rig with the whole stack for all cases, stopped by `dispose`. */
export function e1000StackBenchProvider(): PacketBenchProvider {
  let rig: Rig | undefined;
  return {
    name: 'e1000',
    cases(): PacketBenchCase[] {
      const r = makeRig({ clock: 'real', inet: true });
      rig = r;
      const small = udpFrame(60);
      const large = udpFrame(1514);
      return [
        {
          key: 'rx',
          frameLen: 60,
          name: RX_NAME,
          run: receiveToSocket(r, small),
          reference: { name: FUSED_UDP_REFERENCE, fn: refUdp(small) },
          ops: 128_000,
        },
        {
          key: 'rx',
          frameLen: 1514,
          name: RX_NAME,
          run: receiveToSocket(r, large),
          reference: { name: FUSED_UDP_REFERENCE, fn: refUdp(large) },
          // The 1514-byte target is a ratio of the 60-byte time: that path, interleaved.
          basis: { name: SMALL_FRAME_BASIS, fn: receiveToSocket(r, small) },
          ops: 64_000,
        },
        ...[60, 98].map(
          (len): PacketBenchCase => ({
            key: 'echo',
            frameLen: len,
            name: `e1000 -> wm -> ip -> icmp -> ip -> ether -> wm -> e1000 (${len}-byte requests)`,
            run: echo(r, echoRequestFrame(len)),
            reference: { name: ECHO_REFERENCE, fn: refEcho(echoRequestFrame(len)) },
            ops: 128_000,
          }),
        ),
      ];
    },
    dispose(): void {
      rig?.stop();
    },
  };
}
