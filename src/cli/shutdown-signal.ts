import { printWarning } from './output';

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM so a daemon can stop cleanly (finish
 * running tasks, close connections). A second signal exits at once.
 */
export function shutdownSignal(what: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      printWarning(`${name} again: exiting ${what} immediately`);
      process.exit(130);
    }
    process.stderr.write(`${name} received: stopping ${what} (send it again to exit immediately)\n`);
    controller.abort();
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
