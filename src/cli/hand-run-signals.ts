import os from 'node:os';
import { HandRunStopped } from '../services/hand-run-stopped';

/**
 * SIGINT/SIGTERM during a hand run (`dagctl tasks run`): without this Node dies at once, the task's
 * outcome is never recorded, and a BashOperator's bash — in a session of its own — goes on
 * unseen while a scheduler runs the try again. The first signal aborts the try through the
 * returned signal (runTaskInstance kills the task's process group and records the outcome, as
 * Airflow does for a SIGTERM'd task), with exit code 128 + the signal's number; a second one exits
 * at once. `dispose` removes the handlers once the hand run ended.
 */
export function stopHandRunOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    const code = 128 + (os.constants.signals[name] ?? 0);
    if (controller.signal.aborted) {
      process.stderr.write(`${name} again: exiting at once\n`);
      process.exit(code);
    }
    process.stderr.write(
      `${name} received: stopping the task and recording its outcome (send it again to exit at once)\n`,
    );
    controller.abort(new HandRunStopped(`received ${name}`, code));
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
