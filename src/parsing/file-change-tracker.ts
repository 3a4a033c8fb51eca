import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { contentHash } from '../core/content-hash';

/**
 * What `stat` says about a file, enough to tell that it was written, whatever wrote it: an
 * in-place write moves mtime/ctime and often size; a replacement (`sed -i`, an editor's atomic
 * save, `git checkout`, delete and re-create) brings a new inode even when size and mtime match.
 */
export interface FileStatKey {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** A file's state when it was last looked at. */
export interface FileFingerprint extends FileStatKey {
  file: string;
  hash: string;
}

export function statKeyOf(stat: Stats): FileStatKey {
  return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
}

export function sameStat(a: FileStatKey, b: FileStatKey): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * Remembers the content hash of each DAG file as last synced, so only changed files are parsed.
 * The stat key spares reading unchanged files; the hash decides. `seed` answers for files never
 * seen by this process (a fresh start) from what the DB holds.
 */
export class FileChangeTracker {
  private readonly known = new Map<string, FileFingerprint>();

  /** The file's current fingerprint, or null when it vanished; `unchanged` when it matches what was synced. */
  async inspect(
    file: string,
    seed?: (hash: string) => boolean,
  ): Promise<{ fingerprint: FileFingerprint; unchanged: boolean; seen: boolean } | null> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return null;
    }
    const key = statKeyOf(stat);
    const previous = this.known.get(file);
    if (previous && sameStat(previous, key)) {
      return { fingerprint: previous, unchanged: true, seen: true };
    }
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return null;
    }
    // The stat taken before reading: a write during the read shows as a stat change next time.
    const fingerprint = { file, hash: contentHash(text), ...key };
    if (previous?.hash === fingerprint.hash || (!previous && seed?.(fingerprint.hash))) {
      this.known.set(file, fingerprint);
      return { fingerprint, unchanged: true, seen: true };
    }
    return { fingerprint, unchanged: false, seen: previous !== undefined };
  }

  /** Record that the file, as fingerprinted, is now reflected in the DB. */
  synced(fingerprint: FileFingerprint): void {
    this.known.set(fingerprint.file, fingerprint);
  }

  /** True when the file was synced before by this process. */
  isKnown(file: string): boolean {
    return this.known.has(file);
  }

  /** The stat key the file had when last synced, if it was. */
  statOf(file: string): FileStatKey | undefined {
    return this.known.get(file);
  }

  /** Every file synced before by this process. */
  knownFiles(): string[] {
    return [...this.known.keys()];
  }

  forget(file: string): void {
    this.known.delete(file);
  }

  /** Files remembered but not in `present`. */
  forgetAllBut(present: ReadonlySet<string>): void {
    for (const file of this.known.keys()) if (!present.has(file)) this.known.delete(file);
  }
}
