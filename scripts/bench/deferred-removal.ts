import fs from 'node:fs';

/**
 * Folders the scenarios are done with, removed only when the benchmark process exits. Deleting
 * thousands of log files makes the file system slow to create new ones for about half a minute
 * (ext4 passes over recently freed inodes: creating a folder and a file went from 0.05 ms to
 * 0.5 ms of CPU here), which would bill one scenario's cleanup to the figures of the next.
 */
const pending: string[] = [];

export function removeWhenBenchEnds(dir: string): void {
  if (pending.length === 0) process.once('exit', removeDeferredFolders);
  pending.push(dir);
}

function removeDeferredFolders(): void {
  for (const dir of pending.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a temporary folder: the OS cleans it eventually
    }
  }
}
