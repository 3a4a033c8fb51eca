import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { getLogger } from '../logging/logger';
import { isSkippedName } from './discover-dag-files';

const log = getLogger('dag-processor');

/**
 * Calls `onSettled` once file-system activity under a folder has been quiet for `debounceMs`, and
 * remembers which paths the events named, so a pass need only look at those.
 * Best effort: Node's recursive watcher on Linux watches each file and folder by inode, so a file
 * replaced by a rename (`sed -i`, an editor's atomic save, `git checkout`) or a renamed folder
 * falls silent; and it reports races with deleted paths as errors. So the manager re-arms the
 * watch (a fresh walk of the folder) after a burst that named anything but in-place writes to
 * known files, an error drops it (`ensure()` sets a new one up), and the manager's stat sweep
 * notices whatever was missed (and re-arms too).
 */
export class DagsFolderWatcher {
  private watcher: fs.FSWatcher | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private warned = false;
  private watchCount = 0;
  /** Absolute paths named by events since the last `takeChangedPaths()`; null: an event named none. */
  private changed: Set<string> | null = new Set();
  /** The inode of each file when the current watch was set up: the one the watch follows. */
  private followed = new Map<string, number>();

  constructor(
    private readonly folder: string,
    private readonly debounceMs: number,
    private readonly onSettled: () => void,
  ) {}

  /** Start watching unless already watching; harmless to call repeatedly. */
  ensure(): void {
    if (this.watcher || this.closed) return;
    this.watcher = this.open();
  }

  /**
   * Replace the watch by a fresh one covering the folder's current files and folders. The new
   * watch is set up before the old one closes; the next pass checks every file (new `watchId`),
   * which covers anything written in between.
   */
  rearm(): void {
    if (this.closed) return;
    const old = this.watcher;
    this.watcher = null;
    this.watcher = this.open();
    old?.close();
  }

  private open(): fs.FSWatcher | null {
    try {
      // Read BEFORE the watch is set up (it follows what its own walk finds): a file replaced
      // between the two walks then differs from what is recorded, and its event re-arms.
      const followed = inodesUnder(this.folder);
      const watcher = fs.watch(this.folder, { recursive: true }, (_event, name) => this.onEvent(name));
      watcher.on('error', (err) => {
        log.debug(`watching ${this.folder} failed: ${errorMessage(err)}`);
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        this.onEvent();
      });
      this.watchCount += 1;
      this.warned = false;
      this.followed = followed;
      return watcher;
    } catch (err) {
      if (!this.warned) log.warn(`cannot watch ${this.folder} (${errorMessage(err)}); relying on periodic rescans`);
      this.warned = true;
      return null;
    }
  }

  /**
   * Identifies the current watch, or null when nothing is watched. Events seen while the same
   * watch lasts cover every change since it was set up; a new watch may have missed some.
   */
  get watchId(): number | null {
    return this.watcher ? this.watchCount : null;
  }

  /**
   * The inode this watch follows at `file` (read when it was set up), or undefined for a path it
   * did not see then. A file whose inode differs has been replaced: the watch is blind to it.
   */
  followedInode(file: string): number | undefined {
    return this.followed.get(file);
  }

  /** Paths changed since the last call (then forgotten); null when an event did not say which. */
  takeChangedPaths(): Set<string> | null {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  close(): void {
    this.closed = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private onEvent(name?: string | Buffer | null): void {
    if (this.closed) return;
    if (!name) this.changed = null;
    else this.changed?.add(path.resolve(this.folder, String(name)));
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.onSettled();
    }, this.debounceMs);
  }
}

/**
 * Inode of every file under `folder` that discovery may look at (dot-folders such as `.git` and
 * `node_modules` are left out), by a synchronous walk like the watch's own. A path that vanishes
 * meanwhile is left out.
 */
function inodesUnder(folder: string, inodes = new Map<string, number>()): Map<string, number> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return inodes;
  }
  for (const entry of entries) {
    if (isSkippedName(entry.name)) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) inodesUnder(full, inodes);
    else {
      try {
        inodes.set(full, fs.statSync(full).ino);
      } catch {
        // gone since the listing
      }
    }
  }
  return inodes;
}
