import fs from 'node:fs/promises';
import { contentHash } from '../core/content-hash';

/** A file's state when it was last looked at. */
export interface FileFingerprint {
  file: string;
  hash: string;
  mtimeMs: number;
  size: number;
}

/**
 * Remembers the content hash of each DAG file as last synced, so only changed files are parsed.
 * The stat (mtime, size) spares reading unchanged files; the hash decides. `seed` answers for
 * files never seen by this process (a fresh start) from what the DB holds.
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
    const previous = this.known.get(file);
    if (previous && previous.mtimeMs === stat.mtimeMs && previous.size === stat.size) {
      return { fingerprint: previous, unchanged: true, seen: true };
    }
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return null;
    }
    const fingerprint = { file, hash: contentHash(text), mtimeMs: stat.mtimeMs, size: stat.size };
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

  forget(file: string): void {
    this.known.delete(file);
  }

  /** Files remembered but not in `present`. */
  forgetAllBut(present: ReadonlySet<string>): void {
    for (const file of this.known.keys()) if (!present.has(file)) this.known.delete(file);
  }
}
