import { listProcesses, processEnvironment, type ProcessRow } from './process-table';
import type { TaskInstanceKey } from './task-instance-key';

/**
 * The processes of one try, found by the DAGCTL_CTX_* variables that BashOperator gives its
 * command. A bash runs in a session of its own (so an abort can kill its whole group): once the
 * process that ran the try is dead (SIGKILL, the OOM killer) no tree, group or session leads to it
 * any more, but it and everything it starts still carry the try's environment. Linux only
 * (/proc/PID/environ); a command that clears its environment (`env -i`) is not found.
 */

/**
 * The variables that name a try, as BashOperator sets them and as they are looked for.
 * `supervisorPid` is the process that ran the try (a task process, or `dagctl tasks run`): the
 * ids alone may be another deployment's on the same host (two homes with the same DAGs and run
 * ids), but not together with the pid its try was recorded with, which only one process had.
 */
export function tryEnvironment(key: TaskInstanceKey, tryNumber: number, supervisorPid: number): Record<string, string> {
  return {
    DAGCTL_CTX_DAG_ID: key.dagId,
    DAGCTL_CTX_TASK_ID: key.taskId,
    DAGCTL_CTX_RUN_ID: key.runId,
    DAGCTL_CTX_MAP_INDEX: String(key.mapIndex),
    DAGCTL_CTX_TRY_NUMBER: String(tryNumber),
    DAGCTL_CTX_SUPERVISOR_PID: String(supervisorPid),
  };
}

/**
 * The processes (zombies and this process aside) that carry the try's variables and were started
 * under `supervisorPid`; [] outside Linux.
 */
export function processesOfTry(key: TaskInstanceKey, tryNumber: number, supervisorPid: number): ProcessRow[] {
  if (process.platform !== 'linux') return [];
  const wanted = Object.entries(tryEnvironment(key, tryNumber, supervisorPid)).map(
    ([name, value]) => `${name}=${value}`,
  );
  return listProcesses().filter((row) => {
    // A zombie has exited already; it only waits for its reaper.
    if (row.pid === process.pid || row.state === 'Z') return false;
    const environ = processEnvironment(row.pid);
    return environ !== null && wanted.every((entry) => environ.has(entry));
  });
}
