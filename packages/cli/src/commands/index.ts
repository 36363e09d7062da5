/**
 * Every sub-command of `ifnet`, one module each. A command module exports a registrar that adds its
 * command (options, help text, action) to the program; add new commands to {@link COMMANDS}.
 */
import type { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerHost } from './host.js';
import { registerPing } from './ping.js';
import { registerNewDriver } from './new-driver.js';

/** Adds one sub-command to the program. */
export type CommandRegistrar = (program: Command) => void;

export const COMMANDS: readonly CommandRegistrar[] = [
  registerDemo,
  registerHost,
  registerPing,
  registerNewDriver,
  registerBench,
];
