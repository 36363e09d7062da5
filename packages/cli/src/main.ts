/** Entry point of the `ifnet` executable (see `bin/ifnet.mjs`). */
import { run } from './program.js';

// `ifnet ... | head` closes our stdout early: that is a normal end, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await run(process.argv.slice(2));
