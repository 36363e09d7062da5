/**
 * The `ifnet` command line: one commander program, with every sub-command registered from
 * `commands/index.ts`. Kept free of `process.exit` so tests can build and run it in-process.
 *
 * Conventions every command follows (so the tool fits the habits of `ip`, `ping`, `netstat` users):
 * - bad arguments are a one-line error on stderr and exit status 2 (throw {@link UsageError});
 * - `--json` prints exactly one JSON object on stdout and nothing else there;
 * - long-running commands stop cleanly on SIGINT/SIGTERM and print their counters.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './usage-error.js';

export const VERSION = '0.1.0';

/** Builds the program with every command registered. */
export function createProgram(): Command {
  const program = new Command('ifnet')
    .description('ifnet: a network-driver framework on virtual hardware — demo, benchmarks, hosts, labs')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/**
 * Parses `argv` (without `node` and the script) and runs the command. Resolves to the exit status:
 * 0 on success, 2 on a usage error (message already printed), 1 on any other failure.
 */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2; // commander printed the one-line error already
    }
    if (err instanceof UsageError) {
      process.stderr.write(`ifnet: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`ifnet: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
