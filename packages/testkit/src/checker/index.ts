/**
 * Composable packet checkers, used as `checker.IPv4(bytes, checker.SrcAddr('10.0.0.1'), checker.TTL(64),
 * checker.UDP(checker.DstPort(53)))` — the shape of gVisor's `checker` package.
 *
 * @module
 */
export * from './protocols.js';
export { type Checker, type Layer, type LayerKind, PacketCheckError } from './layer.js';
