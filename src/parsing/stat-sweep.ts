import fs from 'node:fs/promises';
import { discoverDagFiles } from './discover-dag-files';
import { FileStatKey, sameStat, statKeyOf } from './file-change-tracker';

/**
 * The safety net under the file-system watch: lists the dags folder and stats every DAG file (no
 * reads), and says whether anything differs from the previous sweep or from what was synced —
 * a new file, a vanished one, or another inode, size, mtime or ctime. Cheap enough to run every
 * second; it catches what the watch misses (replaced files, renamed folders, network mounts).
 */
export class StatSweep {
  private previous: Map<string, FileStatKey> | null = null;

  constructor(private readonly dagsFolder: string) {}

  /**
   * Files that changed since the last sweep, or whose stat differs from `synced(file)` (what the
   * processor last synced, undefined when it has not). The first sweep compares with `synced` only.
   */
  async changedFiles(synced: (file: string) => FileStatKey | undefined): Promise<string[]> {
    const files = await discoverDagFiles(this.dagsFolder);
    const current = new Map<string, FileStatKey>();
    const changed: string[] = [];
    for (const file of files) {
      let key: FileStatKey;
      try {
        key = statKeyOf(await fs.stat(file));
      } catch {
        continue; // vanished since the listing: seen as gone by the next sweep
      }
      current.set(file, key);
      const before = this.previous?.get(file);
      const known = synced(file);
      const isNew = this.previous ? !this.previous.has(file) : !known;
      if (isNew || (before && !sameStat(before, key)) || (known && !sameStat(known, key))) changed.push(file);
    }
    for (const file of this.previous?.keys() ?? []) if (!current.has(file)) changed.push(file);
    this.previous = current;
    return changed;
  }
}
