import os from 'node:os';
import { HandRunStopped } from '../services/hand-run-stopped';
import { shutdownSignal } from './shutdown-signal';

/**
 * SIGINT/SIGTERM during a hand run (`dagctl tasks run`): without this Node dies at once, the task's
 * outcome is never recorded, and a BashOperator's bash — in a session of its own — goes on
 * unseen while a scheduler runs the try again. The first signal aborts the try through the
 * returned signal (runTaskInstance kills the task's process group and records the outcome, as
 * Airflow does for a SIGTERM'd task), with exit code 128 + the signal's number; a second one exits
 * at once. `dispose` removes the handlers once the hand run ended.
 */
export function stopHandRunOnSignals(): { signal: AbortSignal; dispose(): void } {
  return shutdownSignal(
    'the task and recording its outcome',
    (name) => new HandRunStopped(`received ${name}`, 128 + (os.constants.signals[name] ?? 0)),
  );
}
