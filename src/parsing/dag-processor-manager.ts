import fs from 'node:fs';
import type { AppContext } from '../app/app-context';
import { getLogger } from '../logging/logger';
import { importErrorLines } from './import-error-lines';
import { execSql } from '../db/sql';
import { recordDagProcessingPass } from '../metrics/airflow-stats';
import { observeDagProcessing } from '../metrics/process-metrics';
import { statsd } from '../metrics/statsd-client';
import { DagFileParserPool, ParserPoolClosedError } from './dag-file-parser-pool';
import { DagProcessorOptions, resolveDagProcessorOptions } from './dag-processor-options';
import { DagsFolderWatcher } from './dags-folder-watcher';
import { discoverDagFiles, DiscoveryInfo } from './discover-dag-files';
import { FileChangeTracker, FileFingerprint } from './file-change-tracker';
import { findTimetableFiles } from './find-timetable-files';
import { findFilesMissingDags } from './find-files-missing-dags';
import { findMissingFiles, removeMissingFile } from './remove-missing-files';
import { StatSweep } from './stat-sweep';
import { FileSyncOutcome, syncParsedFile } from './sync-parsed-file';
import { authoringDefaultsHash, loadSyncedSourceHashes } from './synced-source-hashes';

const log = getLogger('dag-processor');

/** What one full pass over the dags folder did. */
export interface ParseSummary {
  /** DAG files discovered. */
  filesFound: number;
  /** Files whose mtime and size were checked (all of them, or only those file-system events named). */
  filesChecked: number;
  /** Files imported (in a parser child) during this pass. */
  filesParsed: number;
  /** Files skipped because their content did not change since they were last synced. */
  filesUnchanged: number;
  /** Files known to the DB that no longer exist; their DAGs were deactivated. */
  filesRemoved: number;
  /** Import errors recorded by this pass: file → one-line reason. */
  importErrors: Record<string, string>;
  /** DAGs with a new serialized version (new DAGs included). */
  changedDagIds: string[];
  /** DAGs made inactive (file deleted, DAG removed from its file, or file failed to import). */
  deactivatedDagIds: string[];
  durationMs: number;
}

function emptySummary(): ParseSummary {
  return {
    filesFound: 0,
    filesChecked: 0,
    filesParsed: 0,
    filesUnchanged: 0,
    filesRemoved: 0,
    importErrors: {},
    changedDagIds: [],
    deactivatedDagIds: [],
    durationMs: 0,
  };
}

export type DagChangeListener = (dagIds: string[]) => void;

/**
 * Keeps the metadata DB in step with the dags folder: discovers DAG files, imports changed ones in
 * parser children (never in this process), and syncs serialized DAGs and import errors, one file
 * per transaction. `start()` watches the folder, sweeps it with `stat` every
 * `statSweepIntervalMs` (what the watch misses) and rescans it periodically; `parseAll()` runs one
 * pass and waits for it. Passes never overlap; a request made while one is waiting to run joins it.
 */
export class DagProcessorManager {
  readonly options: DagProcessorOptions;
  /** Stored with each file's source: a later start with other config defaults parses it again. */
  private readonly defaultsHash: string;
  private readonly tracker = new FileChangeTracker();
  private readonly listeners = new Set<DagChangeListener>();
  private pool: DagFileParserPool | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private waitingPass: Promise<ParseSummary> | null = null;
  /** The waiting pass must check every file (parseAll), not only those events named. */
  private recheckAllRequested = false;
  /** The watch that covered the last pass checking every file, and when that pass began. */
  private recheckedUnderWatch: number | null = null;
  private lastRecheckAllAt = -Infinity;
  private syncTail: Promise<unknown> = Promise.resolve();
  private watcher: DagsFolderWatcher | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweep: StatSweep | null = null;
  private sweeping = false;
  private passRunning = false;
  /** The DAG ids each file defined when last synced: a DAG deleted from the DB makes its file parse again. */
  private readonly fileDagIds = new Map<string, string[]>();
  private firstPassDone = false;
  private started = false;
  private stopped = false;
  /** Files imported since construction (each import is one child parse). */
  parseCount = 0;
  /** What the last finished pass did. */
  lastPass: ParseSummary | null = null;
  /** Passes that failed (the database was unreachable, …) since construction. */
  failedPasses = 0;

  constructor(
    private readonly ctx: AppContext,
    options: Partial<DagProcessorOptions> = {},
  ) {
    this.options = resolveDagProcessorOptions(ctx.config, options);
    this.defaultsHash = authoringDefaultsHash(this.options.authoringDefaults);
  }

  /**
   * Call `listener` with the DAG ids whose serialized form changed or that were deactivated.
   * Returns an unsubscribe.
   */
  onChange(listener: DagChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Watch the folder and rescan it periodically; resolves once the initial full pass is done
   * (and rejects if it failed; watching and rescans go on until `stop()`).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.watcher = new DagsFolderWatcher(this.options.dagsFolder, this.options.debounceMs, () => this.requestPass());
    this.watcher.ensure();
    // Rescans start at once: if the initial pass fails (DB briefly down), they retry it.
    this.rescanTimer = setInterval(() => {
      this.watcher?.ensure();
      this.requestPass();
    }, this.options.rescanIntervalMs);
    this.sweep = new StatSweep(this.options.dagsFolder);
    this.sweepTimer = setInterval(() => void this.sweepOnce(), this.options.statSweepIntervalMs);
    await this.parseAll();
  }

  /** Stop watching, kill parser children, and wait for the pass in progress to wind down. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = null;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.sweep = null;
    this.watcher?.close();
    this.watcher = null;
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
    await this.tail;
  }

  /** One full pass over the dags folder; resolves when every changed file is parsed and synced. */
  parseAll(): Promise<ParseSummary> {
    return this.schedulePass(true);
  }

  /**
   * Parse only these files, whatever their state, and sync what they define; nothing else in the
   * folder is looked at (a command that needs one known DAG must not wait for a slow unrelated file).
   * Runs after any pass in progress, like a pass.
   */
  parseFiles(files: string[]): Promise<ParseSummary> {
    const pass = this.tail.then(() => this.runFilesPass(files));
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  private async runFilesPass(files: string[]): Promise<ParseSummary> {
    const startedAt = performance.now();
    const summary = emptySummary();
    if (this.stopped) return summary;
    const fingerprints: FileFingerprint[] = [];
    for (const file of files) {
      const state = await this.tracker.inspect(file);
      if (state) fingerprints.push(state.fingerprint);
    }
    summary.filesFound = fingerprints.length;
    summary.filesChecked = fingerprints.length;
    await this.parseAndSync(fingerprints, summary);
    summary.changedDagIds = [...new Set(summary.changedDagIds)].sort();
    summary.deactivatedDagIds = [...new Set(summary.deactivatedDagIds)].sort();
    summary.durationMs = Math.round(performance.now() - startedAt);
    return summary;
  }

  /**
   * Queue a pass unless one is already waiting (then join it). `checkAll`: stat every file;
   * otherwise (watcher events, periodic rescans) a pass may look only at what events named.
   */
  private schedulePass(checkAll: boolean): Promise<ParseSummary> {
    if (checkAll) this.recheckAllRequested = true;
    if (this.waitingPass) return this.waitingPass;
    const pass = this.tail.then(() => {
      this.waitingPass = null;
      const all = this.recheckAllRequested;
      this.recheckAllRequested = false;
      return this.runPass(all).catch((err: unknown) => {
        this.failedPasses += 1;
        // The changes events named may not all be synced: the next pass checks every file.
        this.lastRecheckAllAt = -Infinity;
        throw err;
      });
    });
    this.waitingPass = pass;
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  private requestPass(): void {
    if (this.stopped) return;
    this.schedulePass(false).catch((err: unknown) => log.error('DAG folder pass failed', { err }));
  }

  /**
   * One stat sweep, unless a pass is under way or waiting (it will look anyway). A change the
   * watch did not report means the watch went blind to it: re-arm it, which also makes the next
   * pass check every file.
   */
  private async sweepOnce(): Promise<void> {
    const sweep = this.sweep;
    if (!sweep || this.sweeping || this.passRunning || this.waitingPass || !this.firstPassDone) return;
    this.sweeping = true;
    try {
      const changed = await sweep.changedFiles((file) => this.tracker.statOf(file), this.statShares());
      if (changed.length === 0 || this.stopped) return;
      log.debug(`stat sweep found ${changed.length} changed DAG files the watch did not report`);
      this.watcher?.rearm();
      this.requestPass();
    } catch (err) {
      log.warn('DAG folder stat sweep failed', { err });
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * How many sweeps share the stats of all files. While a watch is up it reports in-place writes
   * and re-arms after replacements, so the sweep need only stat each file once per
   * `recheckIntervalMs`, the pace at which rescans check every file anyway (new, vanished and
   * replaced files are still seen by every sweep from its folders' stats); with no watch, every
   * sweep stats every file.
   */
  private statShares(): number {
    if ((this.watcher?.watchId ?? null) === null) return 1;
    return Math.max(1, Math.round(this.options.recheckIntervalMs / Math.max(1, this.options.statSweepIntervalMs)));
  }

  /**
   * Whether this pass must stat every file. It need not while one watch has lasted since the last
   * such pass began (its events name every change since), nothing escaped the watch (symlinked
   * folders, an event without a name), and that pass is younger than the recheck interval.
   */
  private mustCheckAll(requested: boolean, changed: Set<string> | null, info: DiscoveryInfo): boolean {
    const watchId = this.watcher?.watchId ?? null;
    const nowMs = performance.now();
    const all =
      requested ||
      !this.firstPassDone ||
      changed === null ||
      watchId === null ||
      info.symlinkedFolders > 0 ||
      watchId !== this.recheckedUnderWatch ||
      nowMs - this.lastRecheckAllAt >= this.options.recheckIntervalMs;
    if (all) {
      this.recheckedUnderWatch = watchId;
      this.lastRecheckAllAt = nowMs;
    }
    return all;
  }

  /**
   * Re-arm the watch when what events named may have left it blind: Node's recursive watch on
   * Linux follows inodes, so a path replaced by another file (`sed -i`, an atomic save, `git
   * checkout`, delete and re-create), a new or renamed one, or an event naming none calls for a
   * fresh walk of the folder (and the pass then checks every file, see mustCheckAll). Not after
   * in-place writes to known files, the usual edit: the watch keeps seeing those, and re-arming
   * would cost a walk of the folder and a stat of every file per edit.
   */
  private async rearmIfReplaced(changed: Set<string> | null): Promise<void> {
    const watcher = this.watcher;
    if (!watcher || changed?.size === 0) return;
    if (changed === null || watcher.watchId === null) return watcher.rearm();
    // Compared with the inode the watch follows, not the one a pass parsed: a file replaced while
    // a pass was parsing it is parsed at its new inode, but the watch still follows the old one.
    for (const file of changed) {
      const followed = watcher.followedInode(file);
      const ino =
        followed === undefined
          ? null
          : await fs.promises.stat(file).then(
              (s) => s.ino,
              () => null,
            );
      if (ino === null || ino !== followed) return watcher.rearm();
    }
  }

  private getPool(): DagFileParserPool {
    this.pool ??= new DagFileParserPool({
      entry: this.options.childEntry,
      size: this.options.parsingProcesses,
      importTimeoutMs: this.options.importTimeoutMs,
      maxHeapMb: this.options.parserMaxHeapMb,
      defaults: this.options.authoringDefaults,
      maxFilesPerChild: this.options.maxFilesPerChild,
      idleTimeoutMs: this.options.childIdleTimeoutMs,
    });
    return this.pool;
  }

  /** Airflow's dag_processing.total_parse_time, dagbag_size and dag_processing.import_errors. */
  private async recordPassMetrics(summary: ParseSummary): Promise<void> {
    try {
      let dagbagSize = 0;
      let importErrors = 0;
      // Only StatsD needs the two counts here: /metrics reads them from the database itself.
      if (statsd()) {
        const dags = await execSql<{ n: number | string }>(
          this.ctx.dataSource,
          'SELECT COUNT(*) AS n FROM dag WHERE is_active = ?',
          [true],
        );
        const errors = await execSql<{ n: number | string }>(
          this.ctx.dataSource,
          'SELECT COUNT(*) AS n FROM import_error',
        );
        dagbagSize = Number(dags.records[0]?.n ?? 0);
        importErrors = Number(errors.records[0]?.n ?? 0);
      }
      recordDagProcessingPass({ seconds: summary.durationMs / 1000, dagbagSize, importErrors });
    } catch (err) {
      log.warn('recording DAG processing metrics failed', { err });
    }
  }

  private async runPass(checkAllRequested: boolean): Promise<ParseSummary> {
    this.passRunning = true;
    try {
      return await this.runPassNow(checkAllRequested);
    } finally {
      this.passRunning = false;
    }
  }

  private async runPassNow(checkAllRequested: boolean): Promise<ParseSummary> {
    const startedAt = performance.now();
    const summary = emptySummary();
    if (this.stopped) return summary;
    const { dataSource, clock } = this.ctx;

    // Taken before looking: a change made during this pass is looked at again by the next one.
    const changedPaths = this.watcher?.takeChangedPaths() ?? null;
    await this.rearmIfReplaced(changedPaths);
    const info: DiscoveryInfo = { symlinkedFolders: 0 };
    const files = await discoverDagFiles(this.options.dagsFolder, info);
    const checkAll = this.mustCheckAll(checkAllRequested, changedPaths, info);
    const present = new Set(files);
    summary.filesFound = files.length;

    // A dags folder that is missing altogether is more likely an unmounted volume or a config
    // mistake than a wish to deactivate every DAG: keep the DB as it is until it is back.
    const folderMissing = !fs.existsSync(this.options.dagsFolder);
    if (folderMissing)
      log.warn(`dags folder ${this.options.dagsFolder} does not exist; no DAG is deactivated until it does`);
    for (const file of folderMissing ? [] : await findMissingFiles(dataSource, present)) {
      const gone = await removeMissingFile(dataSource, file, clock.now());
      summary.filesRemoved += 1;
      summary.deactivatedDagIds.push(...gone);
      this.emit(gone);
    }
    this.tracker.forgetAllBut(present);
    for (const file of this.fileDagIds.keys()) if (!present.has(file)) this.fileDagIds.delete(file);
    // Forgotten, an unchanged file whose DAG was deleted from the DB is parsed again below.
    for (const file of await findFilesMissingDags(dataSource, this.fileDagIds)) {
      this.tracker.forget(file);
      this.fileDagIds.delete(file);
    }

    // Custom timetables: parsed again on each full check, whatever their hash, to extend their horizon.
    const refresh = new Set(checkAll ? await findTimetableFiles(dataSource) : []);
    for (const file of refresh) this.tracker.forget(file);
    const seedHashes = this.firstPassDone ? null : await loadSyncedSourceHashes(dataSource, this.defaultsHash);
    const changed: FileFingerprint[] = [];
    const unchangedFiles: string[] = [];
    for (const file of files) {
      // Known, and no event named it: unchanged (the watch would have said otherwise).
      if (!checkAll && this.tracker.isKnown(file) && !changedPaths?.has(file)) {
        unchangedFiles.push(file);
        continue;
      }
      summary.filesChecked += 1;
      const seed = seedHashes && !refresh.has(file) ? (hash: string) => seedHashes.get(file) === hash : undefined;
      const state = await this.tracker.inspect(file, seed);
      if (!state) continue;
      if (state.unchanged) unchangedFiles.push(file);
      else changed.push(state.fingerprint);
    }

    let outcomes = await this.parseAndSync(changed, summary);
    // A changed file that defines no DAG is likely a module other DAG files import: re-import them all.
    const helperChanged = outcomes.some((o) => o.outcome.activeDagIds.length === 0 && !o.outcome.importError && o.seen);
    if (helperChanged && !this.stopped) {
      const again = (await Promise.all(unchangedFiles.map((f) => this.tracker.inspect(f)))).flatMap((s) =>
        s ? [s.fingerprint] : [],
      );
      outcomes = outcomes.concat(await this.parseAndSync(again, summary));
    }
    // A DAG released by one file this pass may be what another file was refused: retry those once.
    const conflicted = outcomes.filter((o) => o.outcome.duplicateConflict).map((o) => o.fingerprint);
    if (conflicted.length > 0 && summary.deactivatedDagIds.length > 0 && !this.stopped) {
      await this.parseAndSync(conflicted, summary);
    }

    summary.filesUnchanged = files.length - new Set(outcomes.map((o) => o.fingerprint.file)).size;
    summary.changedDagIds = [...new Set(summary.changedDagIds)].sort();
    summary.deactivatedDagIds = [...new Set(summary.deactivatedDagIds)].sort();
    summary.durationMs = Math.round(performance.now() - startedAt);
    this.firstPassDone = true;
    this.lastPass = summary;
    void this.recordPassMetrics(summary);
    if (summary.filesParsed > 0 || summary.filesRemoved > 0) {
      log.info(
        `parsed ${summary.filesParsed} of ${summary.filesFound} DAG files in ${summary.durationMs} ms ` +
          `(${Object.keys(summary.importErrors).length} import errors, ${summary.filesRemoved} removed)`,
      );
      // Named on a long-running processor's console (the scheduler's); a one-shot CLI command
      // keeps its stderr for its own error, and `dags list-import-errors` lists them all.
      if (this.started) for (const line of importErrorLines(summary.importErrors)) log.warn(line);
    }
    return summary;
  }

  /** Parse the files in the pool, syncing each result as it arrives (one transaction at a time). */
  private async parseAndSync(
    files: FileFingerprint[],
    summary: ParseSummary,
  ): Promise<Array<{ fingerprint: FileFingerprint; outcome: FileSyncOutcome; seen: boolean }>> {
    if (files.length === 0 || this.stopped) return [];
    const pool = this.getPool();
    const done: Array<{ fingerprint: FileFingerprint; outcome: FileSyncOutcome; seen: boolean }> = [];
    const errors: unknown[] = [];
    await Promise.all(
      files.map(async (fingerprint) => {
        let result;
        try {
          result = await pool.parse(fingerprint.file);
        } catch (err) {
          if (err instanceof ParserPoolClosedError) return;
          throw err;
        }
        this.parseCount += 1;
        summary.filesParsed += 1;
        observeDagProcessing(result.durationMs / 1000);
        try {
          const outcome = await this.serialized(() =>
            syncParsedFile(this.ctx.dataSource, result, {
              pausedAtCreation: this.options.pausedAtCreation,
              defaultsHash: this.defaultsHash,
              now: this.ctx.clock.now(),
            }),
          );
          const seen = this.tracker.isKnown(fingerprint.file);
          // A refused duplicate depends on other files, not on this one's content: parse it again
          // next pass (forgotten, it is looked at even by passes that check only what events named).
          if (!outcome.duplicateConflict) this.tracker.synced(fingerprint);
          else this.tracker.forget(fingerprint.file);
          this.fileDagIds.set(fingerprint.file, outcome.activeDagIds);
          if (outcome.importError) summary.importErrors[outcome.file] = outcome.importError;
          else delete summary.importErrors[outcome.file];
          summary.changedDagIds.push(...outcome.changedDagIds);
          summary.deactivatedDagIds.push(...outcome.deactivatedDagIds);
          this.emit([...outcome.changedDagIds, ...outcome.deactivatedDagIds]);
          done.push({ fingerprint, outcome, seen });
        } catch (err) {
          log.error(`cannot store parse result of ${fingerprint.file}`, { err });
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
    return done;
  }

  /** Run DB syncs one after another: on SQLite all of them share one connection. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.syncTail.then(work);
    this.syncTail = next.catch(() => undefined);
    return next;
  }

  private emit(dagIds: string[]): void {
    if (dagIds.length === 0) return;
    const ids = [...new Set(dagIds)].sort();
    for (const listener of this.listeners) {
      try {
        listener(ids);
      } catch (err) {
        log.error('DAG change listener failed', { err });
      }
    }
  }
}
