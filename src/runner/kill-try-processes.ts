import { isPidReused } from '../core/process-table';
import { processesOfTry } from '../core/try-processes';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { ProcessTreeKiller } from './process-tree-killer';

/** What killTryProcesses found and killed. */
export interface KilledTryProcesses {
  /** How many processes carried the try's environment (all killed, with their trees and groups). */
  count: number;
  /** Resolves once none of them, nor anything they started, runs any more (or after a timeout). */
  gone(): Promise<void>;
}

/**
 * SIGKILL what is left of a try whose supervisor is dead (its task process or `tasks run`): the
 * processes carrying its DAGCTL_CTX_* environment (core/try-processes), each with its descendants
 * and the process groups they lead. Each is named by pid and start time (ProcessTreeKiller), so a
 * pid given to another process since the listing is never signalled.
 */
export function killTryProcesses(key: TaskInstanceKey, tryNumber: number, supervisorPid: number): KilledTryProcesses {
  const found = processesOfTry(key, tryNumber, supervisorPid);
  // What a found process started carries its environment too and goes with its tree: one killer
  // per topmost process, not one (each listing every process) per member of a big tree.
  const pids = new Set(found.map((row) => row.pid));
  const killers = found.filter((row) => !pids.has(row.ppid)).map((row) => new ProcessTreeKiller(row));
  for (const killer of killers) killer.kill();
  // A topmost match that exited before its killer looked left its children unseen (re-parented):
  // every match is also signalled itself, unless its pid is another process's by now.
  for (const row of found) if (!isPidReused(row)) signalQuietly(row.pid);
  return {
    count: found.length,
    gone: async () => {
      await Promise.all(killers.map((killer) => killer.gone()));
    },
  };
}

function signalQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
