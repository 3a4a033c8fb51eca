import type { LoadedConfig } from '../config/load-config';
import type { TaskInstanceKey } from '../core/task-instance-key';

export interface TaskLogChunk {
  content: string;
  nextOffset: number;
  /** More may come: the try still writes (remote), or the local file is longer than this chunk. */
  more: boolean;
  /** Where it came from: the local log folder or, for a try running on a bullmq worker, Redis. */
  source: 'local' | 'remote' | 'none';
}

/**
 * The log of one attempt from a byte offset: the file in the log folder when there is one, else —
 * with the bullmq executor, while the try runs on a worker — the copy the worker ships to Redis.
 */
export async function readTaskLog(
  config: LoadedConfig,
  key: TaskInstanceKey,
  tryNumber: number,
  offset: number,
  readLocal: () => { content: string; nextOffset: number; size: number; exists: boolean },
): Promise<TaskLogChunk> {
  const local = readLocal();
  if (local.exists)
    return {
      content: local.content,
      nextOffset: local.nextOffset,
      more: local.nextOffset < local.size,
      source: 'local',
    };
  if (config.core.executor === 'bullmq') {
    // Loaded only here: web servers of local setups never touch Redis.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const remoteLog = require('../executors/bullmq/remote-log') as typeof import('../executors/bullmq/remote-log');
    const remote = await remoteLog.readRemoteLog(config, key, tryNumber, offset);
    if (remote)
      return { content: remote.content, nextOffset: remote.nextOffset, more: !remote.complete, source: 'remote' };
  }
  return { content: '', nextOffset: offset, more: false, source: 'none' };
}
