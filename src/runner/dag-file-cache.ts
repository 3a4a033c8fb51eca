import fs from 'node:fs';
import type { DagFileLoader, RunnerDag } from './runner-dag';

interface CachedFile {
  signature: string;
  dags: RunnerDag[];
}

/**
 * Loaded DAG files kept by a warm process, keyed by path and checked against the file's
 * mtime + size + inode on every use, so an edited file is re-imported (fresh) and an unchanged
 * one costs a single stat.
 */
export class DagFileCache {
  private readonly files = new Map<string, CachedFile>();

  constructor(private readonly loader: DagFileLoader) {}

  async load(file: string): Promise<RunnerDag[]> {
    const stat = fs.statSync(file);
    const signature = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    const cached = this.files.get(file);
    if (cached && cached.signature === signature) return cached.dags;
    // Bypass module caches on every miss: another part of this process may hold an older copy.
    const dags = await this.loader(file, { fresh: true });
    this.files.set(file, { signature, dags });
    return dags;
  }

  clear(): void {
    this.files.clear();
  }
}
