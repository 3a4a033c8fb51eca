import fs from 'node:fs';
import { taskLogPath } from '../../../logging/task-log-path';
import { incompleteUtf8Tail } from '../../../logging/utf8-boundary';

export interface LogChunk {
  /** Text from `offset` to `nextOffset` (whole UTF-8 characters only). */
  content: string;
  nextOffset: number;
  /** Size of the file when read; 0 when it does not exist (yet). */
  size: number;
  exists: boolean;
}

/**
 * Read one attempt's log from a byte offset, for the page and its live tail. The path comes from
 * `taskLogPath`, which sanitizes ids, so no request can read outside the log folder.
 */
export function readLogChunk(
  baseLogFolder: string,
  key: { dagId: string; runId: string; taskId: string; mapIndex: number },
  tryNumber: number,
  offset: number,
  maxBytes = 512 * 1024,
): LogChunk {
  const file = taskLogPath(baseLogFolder, key, tryNumber);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { content: '', nextOffset: 0, size: 0, exists: false };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.min(Math.max(0, offset), size);
    // At least 4 bytes, so one whole character always fits and the tail always advances.
    const length = Math.min(Math.max(4, maxBytes), size - start);
    const buf = Buffer.alloc(length);
    const read = length > 0 ? fs.readSync(fd, buf, 0, length, start) : 0;
    const usable = buf.subarray(0, read - incompleteUtf8Tail(buf.subarray(0, read)));
    return { content: usable.toString('utf8'), nextOffset: start + usable.length, size, exists: true };
  } finally {
    fs.closeSync(fd);
  }
}
