import { processesOfTry } from '../core/try-processes';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { ProcessTreeKiller } from './process-tree-killer';

/** What killTryProcesses found and killed. */
export interface KilledTryProcesses {
  /** How many processes carried the try's environment (each was killed with its tree and group). */
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
export function killTryProcesses(key: TaskInstanceKey, tryNumber: number): KilledTryProcesses {
  const killers = processesOfTry(key, tryNumber).map((row) => new ProcessTreeKiller(row));
  for (const killer of killers) killer.kill();
  return {
    count: killers.length,
    gone: async () => {
      await Promise.all(killers.map((killer) => killer.gone()));
    },
  };
}
