import os from 'node:os';
import { printWarning } from './output';

export interface ShutdownSignalOptions {
  /** The abort reason for a signal (default undefined). */
  reasonOf?: (name: NodeJS.Signals) => unknown;
  /** Runs just before a second signal exits the process (e.g. to kill what it started). */
  beforeImmediateExit?: () => void;
}

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM so a command can stop cleanly (a daemon
 * finishes running tasks and closes connections; a hand run stops its task and records the
 * outcome). A second signal exits at once, with 128 + its number.
 */
export function shutdownSignal(
  what: string,
  options: ShutdownSignalOptions = {},
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      printWarning(`${name} again: exiting immediately`);
      try {
        options.beforeImmediateExit?.();
      } finally {
        process.exit(128 + (os.constants.signals[name] ?? 0));
      }
    }
    process.stderr.write(`${name} received: stopping ${what} (send it again to exit immediately)\n`);
    controller.abort(options.reasonOf?.(name));
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
