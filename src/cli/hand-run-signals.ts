import os from 'node:os';
import { killProcessTree } from '../runner/kill-process-tree';
import { HandRunStopped } from '../services/hand-run-stopped';
import { shutdownSignal } from './shutdown-signal';

/**
 * SIGINT/SIGTERM during a hand run (`dagctl tasks run`): without this Node dies at once, the task's
 * outcome is never recorded, and a BashOperator's bash — in a session of its own — goes on until a
 * scheduler on this host kills it (one on another host runs the try again beside it). The first
 * signal aborts the try through the returned signal (runTaskInstance kills the task's process group
 * and records the outcome, as Airflow does for a SIGTERM'd task), with exit code 128 + the signal's
 * number; a second one SIGKILLs the task's processes and exits at once. `dispose` removes the
 * handlers once the hand run ended.
 */
export function stopHandRunOnSignals(): { signal: AbortSignal; dispose(): void } {
  return shutdownSignal('the task and recording its outcome', {
    reasonOf: (name) => new HandRunStopped(`received ${name}`, 128 + (os.constants.signals[name] ?? 0)),
    // Not left running beside the next try: everything the task started (a BashOperator's
    // command leads a process group of its own), but not this process's group (its pipeline).
    beforeImmediateExit: () => killProcessTree(process.pid, 'SIGKILL', { includeRoot: false }),
  });
}
