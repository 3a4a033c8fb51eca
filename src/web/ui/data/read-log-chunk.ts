import fs from 'node:fs';
import { taskLogPath } from '../../../logging/task-log-path';

export interface LogChunk {
  /** Text from `offset` to `nextOffset` (whole UTF-8 characters only). */
  content: string;
  nextOffset: number;
  /** Size of the file when read; 0 when it does not exist (yet). */
  size: number;
  exists: boolean;
}

/** Bytes at the end of `buf` that start a UTF-8 character whose remaining bytes are not there yet. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/**
 * Read one attempt's log from a byte offset, for the page and its live tail. The path comes from
 * `taskLogPath`, which sanitizes ids, so no request can read outside the log folder.
 */
export function readLogChunk(baseLogFolder: string, key: { dagId: string; runId: string; taskId: string }, tryNumber: number, offset: number, maxBytes = 512 * 1024): LogChunk {
  const file = taskLogPath(baseLogFolder, { ...key, mapIndex: -1 }, tryNumber);
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
    const usable = buf.subarray(0, read - incompleteTail(buf.subarray(0, read)));
    return { content: usable.toString('utf8'), nextOffset: start + usable.length, size, exists: true };
  } finally {
    fs.closeSync(fd);
  }
}
