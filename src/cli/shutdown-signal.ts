import os from 'node:os';
import { printWarning } from './output';

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM so a command can stop cleanly (a daemon
 * finishes running tasks and closes connections; a hand run stops its task and records the
 * outcome). A second signal exits at once, with 128 + its number. `reasonOf` gives the abort
 * reason for a signal.
 */
export function shutdownSignal(
  what: string,
  reasonOf: (name: NodeJS.Signals) => unknown = () => undefined,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      printWarning(`${name} again: exiting immediately`);
      process.exit(128 + (os.constants.signals[name] ?? 0));
    }
    process.stderr.write(`${name} received: stopping ${what} (send it again to exit immediately)\n`);
    controller.abort(reasonOf(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
