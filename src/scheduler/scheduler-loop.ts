import type { AppContext } from '../app/app-context';
import type { EntityManager } from 'typeorm';
import { adoptsOrphans, type Executor, type ExecutorEvent, type StartReservation } from '../core/executor';
import { getLogger } from '../logging/logger';
import { describeTi } from '../core/task-instance-key';
import { createDueRuns, dueDagsWaiting, refreshNextDagRun } from './create-due-runs';
import { createDatasetTriggeredRuns, datasetQueueWaiting } from './create-dataset-triggered-runs';
import { advanceBackfills, backfillsToAdvance } from './advance-backfills';
import { execSql } from '../db/sql';
import { whichExist } from '../db/which-exist';
import { runInTransaction } from '../db/transaction';
import { DagViewCache } from './dag-view-cache';
import { FanInCache } from './fan-in-cache';
import { ExternalChangeWatcher } from './external-change-watcher';
import { applyEventsAlone } from './apply-events-alone';
import { AffectedRun, processExecutorEvents } from './process-executor-events';
import { recordTryEnded, type TryEndedMetric } from '../metrics/airflow-stats';
import { anyScheduled, queueReadyTasks } from './queue-ready-tasks';
import { claimOnReservedProcesses, type HandOver } from './claim-on-reserved-processes';
import { MissingPoolWarner } from './missing-pool-warner';
import { readPools } from './slot-usage';
import { requeueStuckQueued } from './requeue-stuck-queued';
import { failAbandonedTestRuns } from './fail-abandoned-test-runs';
import { OrphanThresholds, resetOrphanedTasks } from './reset-orphans';
import { scheduleRuns, scheduleRunsAfterEvents } from './schedule-runs';
import { finishRestartsNotRunning, restartingTriesOf } from './finish-restarts';
import { stopEndedTries } from './stop-ended-tries';
import type { SchedulerOptions } from './scheduler-options';
import { RunRow, startQueuedRuns, startScopedRun } from './start-queued-runs';
import { WakeSignal } from './wake-signal';
import { CallbackRunner, pendingCallbacks } from './callback-runner';
import { checkDeadlines, deadlinesPassed } from './check-deadlines';
import { claimedLongAgo, endStrandedClaims, runsTriesInProcessTree } from './end-stranded-claims';
import type { TryRef } from './tries-of-job';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

const log = getLogger('scheduler');

/** Loops that may fail in a row before their executor events are applied on their own. */
const MAX_EVENT_ATTEMPTS = 3;
/** How often running tries are checked against their task instances (see stopEndedTries). */
const STOP_CHECK_INTERVAL_MS = 500;
/** How often this scheduler's claims that no process runs are looked for (see endStrandedClaims). */
const STRANDED_CLAIM_CHECK_INTERVAL_MS = 10_000;
/** How often missed deadlines and pending callback requests are looked for. */
const CALLBACK_CHECK_INTERVAL_MS = 1000;
/** How long a stopping scheduler waits for the callbacks it started. */
const CALLBACK_SHUTDOWN_WAIT_MS = 10_000;

/** How long one loop took, for /metrics and the benchmarks. */
export interface LoopStats {
  durationMs: number;
  events: number;
  queued: number;
}

/**
 * One scheduler loop iteration: create due runs → start queued runs → then in one transaction
 * apply executor events → decide task states of the runs that changed → queue ready tasks (sent
 * to the executor once committed). Event-driven: a finished task wakes the loop at once and only
 * its run is examined; every run is re-examined at the idle tick.
 */
export class SchedulerLoop {
  private readonly views: DagViewCache;
  /** Wide fan-ins' upstream sets and waits, to decide them after events without counting the run. */
  private readonly fanIns = new FanInCache();
  private readonly wakeSignal = new WakeSignal();
  /** This loop's own: another loop in the process (tests, `dags test`) names missing pools itself. */
  private readonly missingPools = new MissingPoolWarner();
  private readonly watcher: ExternalChangeWatcher;
  private lastFullPass = 0;
  private lastRunCreation = 0;
  private lastOrphanCheck = 0;
  private lastStopCheck = 0;
  private lastCallbackCheck = 0;
  private lastStrandedClaimCheck = 0;
  /** Tries the last stranded-claim check found claimed long ago and run by no process (see endStrandedClaims). */
  private readonly strandedSuspects = new Set<string>();
  /** Runs DAG-level and deadline callbacks in child processes (never here). */
  readonly callbacks: CallbackRunner;
  /** Tries already told to stop (see stopEndedTries). */
  private readonly stoppedTries = new Set<string>();
  private nextWakeAt: number | null = null;
  /** Whether queued runs may be startable: after run creation, finished runs, outside changes. */
  private lookForQueuedRuns = true;
  /** DAGs whose next automated run must be recomputed (new or changed versions). */
  private readonly dagsToRefresh = new Set<string>();
  /** Events of a loop whose transaction failed, applied again by the next loop. */
  private unappliedEvents: ExecutorEvent[] = [];
  /** Runs started by a loop whose transaction failed before deciding them: the next loop decides them. */
  private undecidedRuns: RunRow[] = [];
  private failedLoops = 0;
  /** The last queueing stopped at max_tis_per_query: more may be ready without any event. */
  private queueingCutShort = false;
  readonly stats: LoopStats[] = [];
  onLoop: ((stats: LoopStats) => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly executor: Executor,
    private readonly options: SchedulerOptions,
    private readonly jobId: number | null,
    /** `dags test`: look at this one run only (no run creation, pause and max_active_runs ignored). */
    private readonly scope: { onlyRun?: { dagId: string; runId: string } } = {},
  ) {
    this.views = new DagViewCache(ctx.dataSource, ctx.config.core.max_map_length);
    this.callbacks = new CallbackRunner(ctx.dataSource, {
      baseLogFolder: ctx.config.logging.base_log_folder,
      // Unique per loop: in-process test schedulers share one pid.
      claimant: `${os.hostname()}:${process.pid}:${jobId ?? '-'}:${randomUUID().slice(0, 8)}`,
    });
    this.watcher = new ExternalChangeWatcher(ctx.dataSource, () => {
      this.lookForQueuedRuns = true;
      this.wake();
    });
    executor.onEvent(() => this.wake());
  }

  wake(): void {
    this.wakeSignal.wake();
  }

  /** The DAG processor stored new versions of these DAGs. */
  dagsChanged(dagIds: string[]): void {
    for (const id of dagIds) this.dagsToRefresh.add(id);
    this.wake();
  }

  async run(options: { numLoops?: number; signal?: AbortSignal }): Promise<void> {
    const { signal } = options;
    signal?.addEventListener('abort', () => this.wake(), { once: true });
    await this.watcher.start();
    const { records } = await execSql<{ dag_id: string }>(
      this.ctx.dataSource,
      `SELECT dag_id FROM dag WHERE is_active = ? AND next_dagrun_create_after IS NULL`,
      [true],
    );
    for (const r of records) this.dagsToRefresh.add(r.dag_id);
    if (this.jobId !== null)
      await resetOrphanedTasks(
        this.ctx.dataSource,
        this.views,
        this.executor,
        this.jobId,
        this.orphanThresholds(),
        this.ctx.clock.now(),
      );
    let loops = 0;
    while (!signal?.aborted && (options.numLoops === undefined || loops < options.numLoops)) {
      loops += 1;
      try {
        await this.tick();
      } catch (err) {
        // One bad tick (a DB hiccup) must not kill the scheduler: log and go on.
        log.error('scheduler loop failed', { err });
      }
      if (signal?.aborted || (options.numLoops !== undefined && loops >= options.numLoops)) break;
      const now = Date.now();
      let sleep = this.options.idleSleepMs;
      if (this.nextWakeAt !== null) sleep = Math.min(sleep, Math.max(0, this.nextWakeAt - now));
      await this.wakeSignal.wait(sleep);
      // Let the events already on their way (IPC messages of other finishing tries) arrive, so
      // one loop handles them together.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sleep until an event arrives, a retry is due, or `maxMs` passed. */
  async waitForWork(maxMs: number): Promise<void> {
    const now = Date.now();
    await this.wakeSignal.wait(this.nextWakeAt !== null ? Math.min(maxMs, Math.max(0, this.nextWakeAt - now)) : maxMs);
  }

  private orphanThresholds(): OrphanThresholds {
    return {
      staleAfterMs: this.options.schedulerStaleAfterMs,
      zombieThresholdMs: this.options.zombieThresholdMs,
      maxPlatformRetries: this.options.maxPlatformRetries,
    };
  }

  async tick(): Promise<LoopStats> {
    const started = performance.now();
    const ds = this.ctx.dataSource;
    const now = this.ctx.clock.now();
    const nowMs = now.getTime();

    const stopCheckDue = nowMs - this.lastStopCheck >= STOP_CHECK_INTERVAL_MS;
    // Asked with the stop check, so its condition rides in a statement the loop makes anyway.
    const strandedClaimCheckDue =
      stopCheckDue &&
      this.jobId !== null &&
      runsTriesInProcessTree(this.executor) &&
      nowMs - this.lastStrandedClaimCheck >= STRANDED_CLAIM_CHECK_INTERVAL_MS;
    // What the executor runs, read in the same synchronous step as the drain: a try it forgets
    // after this has its end in the buffer, not yet applied (see endStrandedClaims).
    const knownAtDrain: TryRef[] = strandedClaimCheckDue ? this.executor.runningKeys() : [];
    const events = [...this.unappliedEvents, ...this.executor.drainEvents()];
    this.unappliedEvents = [];

    const onlyRun = this.scope.onlyRun;
    let startedRuns: Array<{ id: number; dagId: string; runId: string }>;
    let queuedRunsDue = false;
    // The drained events are in no executor's buffer any more: a query failing before they are
    // applied (the database restarting) must keep them for the next loop, or those tries would
    // stay running for ever.
    try {
      if (onlyRun) {
        startedRuns = await startScopedRun(ds, this.views, onlyRun, now);
      } else {
        await this.refreshChangedDags(now);
        const creationDue = nowMs - this.lastRunCreation >= this.options.runCreationIntervalMs;
        // A run finished (room under max_active_runs), another process changed something (a
        // trigger, a new or unpaused backfill), or the full-pass interval passed: a backfill's
        // next run follows as soon as one of its runs finishes, without a query every loop.
        // Taken before looking: a change from now on is looked at by the next loop.
        queuedRunsDue = this.lookForQueuedRuns || nowMs - this.lastFullPass >= this.options.idleSleepMs;
        this.lookForQueuedRuns = false;
        // Usually no run is due, there is no dataset queue and no backfill: one statement asks all three.
        const found = await whichExist(ds, {
          due: creationDue ? dueDagsWaiting(now) : null,
          datasets: creationDue ? datasetQueueWaiting : null,
          backfills: queuedRunsDue || creationDue ? backfillsToAdvance : null,
        });
        if (creationDue) {
          this.lastRunCreation = nowMs;
          if (found.due && (await createDueRuns(ds, this.views, now, this.options.maxDagrunsPerLoop)) > 0)
            queuedRunsDue = true;
          if (
            found.datasets &&
            (await createDatasetTriggeredRuns(ds, this.views, now, this.options.maxDagrunsPerLoop)) > 0
          )
            queuedRunsDue = true;
        }
        startedRuns = [];
        if (queuedRunsDue) {
          if (found.backfills) await advanceBackfills(ds, now, this.options.maxDagrunsPerLoop);
          startedRuns = await startQueuedRuns(
            ds,
            this.views,
            now,
            this.options.maxDagrunsPerLoop,
            this.options.lateThresholdMs,
          );
        }
      }
    } catch (err) {
      // Queued runs this loop was to look for are looked for by the next one.
      if (queuedRunsDue) this.lookForQueuedRuns = true;
      await this.keepUnapplied(events);
      throw err;
    }

    if (this.undecidedRuns.length) startedRuns.unshift(...this.undecidedRuns.splice(0));
    const fullPass =
      nowMs - this.lastFullPass >= this.options.idleSleepMs || (this.nextWakeAt !== null && nowMs >= this.nextWakeAt);
    const slots = this.executor.slotsAvailable();
    let handOvers: HandOver[] = [];
    /** Tries whose end this loop's transaction committed: their metrics follow the hand-over. */
    let triesEnded: TryEndedMetric[] = [];
    // Starts free no capacity and unblock no task: apply them, nothing to decide or queue.
    const onlyStarts =
      events.length > 0 &&
      events.every((e) => e.type === 'started') &&
      !startedRuns.length &&
      !fullPass &&
      !onlyRun &&
      !this.queueingCutShort;
    if (onlyStarts) {
      try {
        await processExecutorEvents(ds, this.views, events);
        this.failedLoops = 0;
      } catch (err) {
        await this.keepUnapplied(events);
        throw err;
      }
    } else if (events.length || startedRuns.length || fullPass || onlyRun || (slots > 0 && (await anyScheduled(ds)))) {
      const reservations: StartReservation[] = [];
      const triesEndedNow: TryEndedMetric[] = [];
      try {
        // Events, decisions, queueing and claims in ONE transaction: one commit per loop.
        handOvers = await runInTransaction(ds, async (m) => {
          const pools = await readPools(m);
          const affected = await processExecutorEvents(m, this.views, events, triesEndedNow);
          await this.decide(m, now, fullPass, startedRuns, affected);
          const queued = await queueReadyTasks(
            m,
            this.views,
            slots,
            pools,
            {
              parallelism: this.options.parallelism,
              maxTisPerQuery: this.options.maxTisPerQuery,
              jobId: this.jobId,
              onlyRun,
              missingPools: this.missingPools,
            },
            now,
          );
          return claimOnReservedProcesses(m, this.executor, queued, this.jobId, this.ctx.clock, reservations);
        });
        this.failedLoops = 0;
        triesEnded = triesEndedNow;
      } catch (err) {
        // Rolled back: the processes set aside for claims that never happened serve other tries.
        for (const reservation of reservations) reservation.release();
        // Started (committed before this transaction) but not decided: without this they would
        // wait for the next full pass.
        if (!onlyRun) this.undecidedRuns.push(...startedRuns);
        await this.keepUnapplied(events);
        throw err;
      }
    }
    // Only what the committed transaction marked queued (or claimed) goes to the executor.
    for (const { workload, reservation } of handOvers) {
      try {
        this.executor.queueWorkload(workload, reservation);
      } catch (err) {
        // One refusal (the executor ending) must not strand the others or their processes.
        reservation?.release();
        log.error(`could not hand ${describeTi(workload.key, workload.tryNumber)} to the executor`, { err });
      }
    }
    if (!onlyStarts) this.queueingCutShort = handOvers.length >= this.options.maxTisPerQuery;
    for (const endedTry of triesEnded) recordTryEnded(endedTry);

    const callbackCheckDue = !onlyRun && nowMs - this.lastCallbackCheck >= CALLBACK_CHECK_INTERVAL_MS;
    const claims = strandedClaimCheckDue
      ? { jobId: this.jobId, hostname: os.hostname(), claimedBefore: new Date(nowMs - this.options.zombieThresholdMs) }
      : null;
    // Asked after this loop's transaction, which may have ended runs (callback requests). Usually
    // nothing is restarting, no try was claimed long ago, no deadline passed and no callback
    // waits: one statement asks all four.
    const pending = await whichExist(ds, {
      restarting:
        stopCheckDue && this.jobId !== null && !adoptsOrphans(this.executor) ? restartingTriesOf(this.jobId) : null,
      claimedLongAgo: claims ? claimedLongAgo(claims) : null,
      deadlines: callbackCheckDue ? deadlinesPassed(now) : null,
      callbacks: callbackCheckDue && this.callbacks.hasRoom() ? pendingCallbacks : null,
    });
    // A running try whose task instance moved on (marked, its run failed or timed out, deleted) is stopped.
    if (stopCheckDue) {
      this.lastStopCheck = nowMs;
      await stopEndedTries(ds, this.executor, this.stoppedTries);
      if (pending.restarting) await finishRestartsNotRunning(ds, this.executor, this.jobId!, now);
    }
    if (claims) {
      this.lastStrandedClaimCheck = nowMs;
      const lost = pending.claimedLongAgo
        ? await endStrandedClaims(ds, this.views, this.executor, claims, knownAtDrain, this.strandedSuspects, {
            maxPlatformRetries: this.options.maxPlatformRetries,
            now,
          })
        : 0;
      if (!pending.claimedLongAgo) this.strandedSuspects.clear();
      // Their retries are due at once: decided by the next loop's full pass.
      if (lost > 0) this.lastFullPass = 0;
    }

    if (this.jobId !== null && nowMs - this.lastOrphanCheck >= Math.max(this.options.heartbeatIntervalMs * 2, 10_000)) {
      this.lastOrphanCheck = nowMs;
      await resetOrphanedTasks(ds, this.views, this.executor, this.jobId, this.orphanThresholds(), now);
      await failAbandonedTestRuns(ds, now);
      await requeueStuckQueued(ds, this.executor, this.jobId, this.options.taskQueuedTimeoutMs, now);
    }
    if (callbackCheckDue) {
      this.lastCallbackCheck = nowMs;
      const missed = pending.deadlines ? await checkDeadlines(ds, now, this.options.maxDagrunsPerLoop) : 0;
      // A miss just recorded may have requested a callback.
      if (pending.callbacks || missed > 0) await this.callbacks.dispatch(now);
    }
    const stats = { durationMs: performance.now() - started, events: events.length, queued: handOvers.length };
    this.onLoop?.(stats);
    return stats;
  }

  /** Decide task states: every run at the full pass, else the started runs and those with events. */
  private async decide(
    m: EntityManager,
    now: Date,
    fullPass: boolean,
    startedRuns: RunRow[],
    affected: AffectedRun[],
  ): Promise<void> {
    const onlyRun = this.scope.onlyRun;
    let result;
    if (fullPass && !onlyRun) {
      this.lastFullPass = now.getTime();
      result = await scheduleRuns(m, this.views, this.fanIns, now, null, this.options.maxDagrunsPerLoop);
      this.nextWakeAt = result.wakeAt?.getTime() ?? null;
    } else if (onlyRun) {
      result = await scheduleRuns(
        m,
        this.views,
        this.fanIns,
        now,
        await this.runRows(m, [onlyRun]),
        this.options.maxDagrunsPerLoop,
      );
      if (fullPass) this.nextWakeAt = result.wakeAt?.getTime() ?? null;
      else this.earliestWake(result.wakeAt);
    } else {
      const started = await scheduleRuns(m, this.views, this.fanIns, now, startedRuns, this.options.maxDagrunsPerLoop);
      result = await scheduleRunsAfterEvents(m, this.views, this.fanIns, now, affected);
      this.earliestWake(started.wakeAt);
      this.earliestWake(result.wakeAt);
    }
    if (result.finishedRuns.length > 0) this.lookForQueuedRuns = true; // max_active_runs freed up
  }

  /**
   * The loop's transaction failed (a DB hiccup, a deadlock victim): its events are applied again
   * next loop. After several failures in a row they are applied on their own (see
   * applyEventsAlone): kept through an outage, never silently dropped.
   */
  private async keepUnapplied(events: ExecutorEvent[]): Promise<void> {
    this.failedLoops += 1;
    if (this.failedLoops < MAX_EVENT_ATTEMPTS) {
      this.unappliedEvents = events;
      return;
    }
    this.failedLoops = 0;
    this.unappliedEvents = await applyEventsAlone(this.ctx.dataSource, this.views, events);
    // What they changed is decided by a full pass, since the loop that would have did not commit.
    this.lastFullPass = 0;
  }

  private earliestWake(at: Date | null): void {
    if (at && (this.nextWakeAt === null || at.getTime() < this.nextWakeAt)) this.nextWakeAt = at.getTime();
  }

  private async refreshChangedDags(now: Date): Promise<void> {
    const batch = [...this.dagsToRefresh].slice(0, this.options.maxDagrunsPerLoop);
    for (const dagId of batch) {
      this.dagsToRefresh.delete(dagId);
      try {
        const view = await this.views.get(dagId);
        if (view) await refreshNextDagRun(this.ctx.dataSource, view, now);
      } catch (err) {
        log.error('cannot compute the next run', { dagId, err });
      }
    }
    if (batch.length) this.lastRunCreation = 0;
    // Start-up with many DAGs: keep going without waiting for the idle tick, then settle.
    if (this.dagsToRefresh.size > 0) this.wake();
  }

  private async runRows(
    m: EntityManager,
    runs: Array<{ dagId: string; runId: string; id?: number }>,
  ): Promise<Array<{ id: number; dagId: string; runId: string }>> {
    const out = new Map<string, { id: number; dagId: string; runId: string }>();
    for (const run of runs) {
      const k = `${run.dagId}\u0000${run.runId}`;
      if (out.has(k)) continue;
      if (run.id !== undefined) {
        out.set(k, { id: run.id, dagId: run.dagId, runId: run.runId });
        continue;
      }
      const { records: rows } = await execSql<{ id: number }>(
        m,
        'SELECT id FROM dag_run WHERE dag_id = ? AND run_id = ?',
        [run.dagId, run.runId],
      );
      if (rows.length) out.set(k, { id: Number(rows[0].id), dagId: run.dagId, runId: run.runId });
    }
    return [...out.values()];
  }

  async shutdown(): Promise<void> {
    await this.watcher.stop();
    await Promise.race([
      this.callbacks.idle(),
      new Promise((resolve) => setTimeout(resolve, CALLBACK_SHUTDOWN_WAIT_MS).unref()),
    ]);
  }

  /** After the executor ended, record what its last tasks reported. */
  async drainFinalEvents(): Promise<void> {
    const events = [...this.unappliedEvents, ...this.executor.drainEvents()];
    this.unappliedEvents = [];
    if (events.length) await processExecutorEvents(this.ctx.dataSource, this.views, events);
  }
}
