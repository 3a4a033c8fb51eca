import { ChildProcess, spawn } from 'node:child_process';
import type { TaskInstanceKey } from '../../src/core/task-instance-key';
import { tryEnvironment } from '../../src/core/try-processes';

/**
 * A `bash -c COMMAND` carrying the environment BashOperator gives a try's command, detached (a
 * session and process group of its own), as a BashOperator's bash is: what a dead supervisor leaves.
 */
export function spawnTryProcess(
  key: TaskInstanceKey,
  tryNumber: number,
  supervisorPid: number,
  command = 'exec sleep 600',
): ChildProcess {
  return spawn('bash', ['-c', command], {
    env: { ...process.env, ...tryEnvironment(key, tryNumber, supervisorPid) },
    detached: true,
    stdio: 'ignore',
  });
}

/** SIGKILL the process group of a process from spawnTryProcess (if still there) and wait until it is reaped. */
export async function killSpawned(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // its group is gone already; the exit event is on its way
  }
  await exited;
}
