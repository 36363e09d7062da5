/**
 * Waiting for the end of a long-running command: SIGINT or SIGTERM (the launcher forwards them), or a
 * duration. Afterwards further SIGINT/SIGTERM are ignored (see below): the command is about to end anyway.
 *
 * @module
 */

const ignore = () => {};

/** Resolves with what ended the wait: the signal's name, or `duration`. */
export function runUntilSignal(seconds?: number, extra?: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // Ctrl-C in a terminal signals the whole process group, and the launcher forwards its copy too: the
      // duplicate must not kill us while the counters are printed. Shutdown is short; the process then
      // exits on its own.
      process.on('SIGINT', ignore);
      process.on('SIGTERM', ignore);
      if (timer !== undefined) clearTimeout(timer);
      resolve(why);
    };
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (seconds !== undefined) timer = setTimeout(() => finish('duration'), seconds * 1000);
    extra?.then(() => finish('done'));
  });
}
