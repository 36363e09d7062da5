/**
 * Waiting for the end of a long-running command: SIGINT or SIGTERM (the launcher forwards them), or a
 * duration. Listeners are removed afterwards, so a second Ctrl-C during shutdown behaves as usual.
 *
 * @module
 */

/** Resolves with what ended the wait: the signal's name, or `duration`. */
export function runUntilSignal(seconds?: number, extra?: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
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
