/**
 * @ifnet/cli: the `ifnet` command. The package's programmatic surface is small: build the program
 * (to embed it or test it) or run it with an argument vector.
 *
 * @module
 */
export { createProgram, run, VERSION } from './program.js';
export { UsageError, parseNumberOption } from './usage-error.js';
export type { CommandRegistrar } from './commands/index.js';
