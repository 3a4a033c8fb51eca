import fs from 'node:fs';

/** A try's log lines kept in its BullMQ job (bull-board's Logs tab): the last ones, bounded. */
export const JOB_LOG_MAX_LINES = 1000;
export const JOB_LOG_MAX_BYTES = 64 * 1024;

/**
 * The last lines of a try's log file, at most `maxLines` and `maxBytes` of them (a line cut by
 * the byte bound is dropped, not halved). The file is the task log as the task process wrote it,
 * already through the secrets masker, so the lines carry no secret. [] when there is no file.
 */
export function readLogTail(file: string, maxLines = JOB_LOG_MAX_LINES, maxBytes = JOB_LOG_MAX_BYTES): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const read = fs.readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.subarray(0, read).toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1); // the first line began before the window
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-maxLines);
  } finally {
    fs.closeSync(fd);
  }
}
