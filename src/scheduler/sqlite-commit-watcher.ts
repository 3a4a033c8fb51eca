import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

export interface SqliteCommitWatcherOptions {
  /** The database file (absolute). */
  file: string;
  /** `PRAGMA data_version`: changes exactly when another connection commits. */
  readVersion: () => number | Promise<number>;
  onCommit: () => void;
  /** Poll interval when file-system events are not available (default 25 ms). */
  fastPollMs?: number;
  /** Safety-net poll interval while file-system events are watched (default 1000 ms). */
  slowPollMs?: number;
  /** Tests: pretend fs.watch is unavailable. */
  watchFiles?: boolean;
}

/**
 * Notices commits of OTHER processes to a SQLite database without polling it 40 times a second:
 * every commit writes the database's -wal file (or, outside WAL mode, the file itself or its
 * journal), so a watch on the folder says when to read `data_version`; the version decides.
 * A slow poll stays as a safety net (a file system without events, a missed event), and without
 * a working watch it polls fast instead.
 */
export class SqliteCommitWatcher {
  private timer: NodeJS.Timeout | null = null;
  private watcher: fs.FSWatcher | null = null;
  private lastVersion: number | null = null;
  private checking = false;
  private checkAgain = false;
  private stopped = true;
  private readonly fastPollMs: number;
  private readonly slowPollMs: number;
  /** Version reads so far (tests, observability). */
  checks = 0;

  constructor(private readonly options: SqliteCommitWatcherOptions) {
    this.fastPollMs = options.fastPollMs ?? 25;
    this.slowPollMs = options.slowPollMs ?? 1000;
  }

  /** True while file-system events drive the checks (the poll is only a safety net). */
  get watching(): boolean {
    return this.watcher !== null;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.lastVersion = await this.read();
    this.watchFolder();
    this.schedulePoll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  private watchFolder(): void {
    const file = this.options.file;
    if (this.options.watchFiles === false) return;
    const base = path.basename(file);
    try {
      const watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
        // The name can be missing on some platforms: then any change in the folder counts.
        if (!name || String(name).startsWith(base)) this.check();
      });
      watcher.on('error', (err) => {
        log.debug(`watching ${file} failed (${errorMessage(err)}); polling instead`);
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        this.schedulePoll();
      });
      this.watcher = watcher;
    } catch (err) {
      log.debug(`cannot watch ${file} (${errorMessage(err)}); polling instead`);
    }
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.check();
        this.schedulePoll();
      },
      this.watcher ? this.slowPollMs : this.fastPollMs,
    );
    this.timer.unref();
  }

  /** Read the version (one read at a time; a request during a read runs once more after it). */
  private check(): void {
    if (this.stopped) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    // read() never rejects (a failed read is null), and onCommit only wakes the loop.
    void this.read().then((version) => {
      this.checking = false;
      if (this.stopped) return;
      if (version !== null) {
        const changed = this.lastVersion !== null && version !== this.lastVersion;
        this.lastVersion = version;
        if (changed) this.options.onCommit();
      }
      if (this.checkAgain) {
        this.checkAgain = false;
        this.check();
      }
    });
  }

  private async read(): Promise<number | null> {
    this.checks += 1;
    try {
      return Number(await this.options.readVersion());
    } catch {
      return null; // the DB may be closing; the next check retries
    }
  }
}
