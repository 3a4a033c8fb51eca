import fs from 'node:fs';
import { errorMessage } from '../core/errors';
import { getLogger } from '../logging/logger';

const log = getLogger('dag-processor');

/**
 * Calls `onSettled` once file-system activity under a folder has been quiet for `debounceMs`.
 * Best effort: Node's recursive watcher on Linux reports races with deleted paths as errors, so
 * on error it drops the watch (`ensure()` sets a new one up) and reports activity; the periodic
 * rescan notices whatever was missed.
 */
export class DagsFolderWatcher {
  private watcher: fs.FSWatcher | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private warned = false;

  constructor(
    private readonly folder: string,
    private readonly debounceMs: number,
    private readonly onSettled: () => void,
  ) {}

  /** Start watching unless already watching; harmless to call repeatedly. */
  ensure(): void {
    if (this.watcher || this.closed) return;
    try {
      const watcher = fs.watch(this.folder, { recursive: true }, () => this.onEvent());
      watcher.on('error', (err) => {
        log.debug(`watching ${this.folder} failed: ${errorMessage(err)}`);
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        this.onEvent();
      });
      this.watcher = watcher;
      this.warned = false;
    } catch (err) {
      if (!this.warned) log.warn(`cannot watch ${this.folder} (${errorMessage(err)}); relying on periodic rescans`);
      this.warned = true;
    }
  }

  close(): void {
    this.closed = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private onEvent(): void {
    if (this.closed) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.onSettled();
    }, this.debounceMs);
  }
}
