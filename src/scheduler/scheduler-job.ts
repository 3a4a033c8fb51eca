import type { AppContext } from '../app/app-context';
import { UserError } from '../core/errors';
import { claimTryStarts, type TryStartClaimRequest } from '../db/transitions/claim-try-start';
import { BatchCoalescer } from '../core/batch-coalescer';
import { endJob, heartbeatJob, isJobAlive, runningJobs, startJob } from '../db/transitions/job-transitions';
import { createExecutor } from '../executors/create-executor';
import type { Executor } from '../core/executor';
import { getLogger } from '../logging/logger';
import { executorOpenSlots, observeSchedulerLoop, processMetricsRegistry } from '../metrics/process-metrics';
import { recordSchedulerHeartbeat } from '../metrics/airflow-stats';
import { PublishPacer } from '../metrics/publish-pacer';
import { type PoolSlotCounts, readPoolSlots } from '../metrics/pool-slots';
import { closeStatsd, configureStatsd, statsd } from '../metrics/statsd-client';
import { DagProcessorManager } from '../parsing/dag-processor-manager';
import { SchedulerLoop } from './scheduler-loop';
import { resolveSchedulerOptions, SchedulerOptions } from './scheduler-options';

const log = getLogger('scheduler');

export interface RunSchedulerOptions {
  /** Stop after this many loops (`dagctl scheduler -n`). */
  numLoops?: number;
  signal?: AbortSignal;
  /** Use this executor instead of the configured one (tests, `dags test`). */
  executor?: Executor;
  /** Do not start the DAG processor (a separate one runs). */
  withoutDagProcessor?: boolean;
}

/** SQLite allows one writer process: a second scheduler would fight the first for the lock. */
async function refuseSecondSchedulerOnSqlite(ctx: AppContext, options: SchedulerOptions): Promise<void> {
  if (ctx.dataSource.options.type === 'postgres') return;
  const now = ctx.clock.now();
  for (const job of await runningJobs(ctx.dataSource, 'SchedulerJob')) {
    if (isJobAlive(job, now, options.schedulerStaleAfterMs)) {
      throw new UserError(
        `another scheduler is running (pid ${job.pid} on ${job.hostname}); ` +
          'SQLite supports one scheduler — use PostgreSQL to run several',
      );
    }
  }
}

/**
 * Airflow's scheduler_heartbeat, with the executor and pool gauges for StatsD (read only when
 * StatsD is on: /metrics reads its own from the database).
 */
async function beatAirflowMetrics(ctx: AppContext, executor: Executor): Promise<void> {
  try {
    // Only StatsD needs the counts here: /metrics reads its own from the database.
    const read = statsd() ? await readPoolSlots(ctx.dataSource) : null;
    recordSchedulerHeartbeat({
      executorOpenSlots: executor.slotsAvailable(),
      executorQueuedTasks: read?.queuedTasks ?? 0,
      executorRunningTasks: read?.runningTasks ?? 0,
      pools: read?.pools ?? new Map<string, PoolSlotCounts>(),
    });
  } catch (err) {
    log.warn('recording heartbeat metrics failed', { err });
  }
}

/**
 * `dagctl scheduler`: the DAG processor, the executor and the scheduling loop in one process.
 * Stops on SIGINT/SIGTERM (via `signal`) or after `numLoops`, finishing running tasks first.
 */
export async function runScheduler(ctx: AppContext, options: RunSchedulerOptions = {}): Promise<void> {
  const schedulerOptions = resolveSchedulerOptions(ctx.config);
  await refuseSecondSchedulerOnSqlite(ctx, schedulerOptions);
  const executor = options.executor ?? createExecutor(ctx.config.core.executor, ctx.config);
  const jobId = await startJob(ctx.dataSource, 'SchedulerJob', executor.name, ctx.clock.now());
  const processor = options.withoutDagProcessor ? null : new DagProcessorManager(ctx);
  // A try starts only through the guarded queued → running claim: never twice at one try number.
  // Claims arriving together share one transaction (one commit instead of one per try).
  const claims = new BatchCoalescer<TryStartClaimRequest, boolean>((batch) => claimTryStarts(ctx.dataSource, batch));
  executor.claimTriesWith?.((request) =>
    claims.submit({
      key: request.key,
      tryNumber: request.tryNumber,
      start: { at: new Date(request.at), hostname: request.hostname, pid: request.pid, queuedByJobId: jobId },
    }),
  );
  const loop = new SchedulerLoop(ctx, executor, schedulerOptions, jobId);
  configureStatsd(ctx.config);
  let failed = false;
  try {
    await executor.start();
    if (processor) {
      processor.onChange((dagIds) => loop.dagsChanged(dagIds));
      // Not awaited: each file's DAGs reach the loop (onChange) as that file is synced, so one
      // slow file does not hold back scheduling of the others; a failed first pass is retried
      // by the periodic rescans.
      processor
        .start()
        .then(() => log.info('first pass over the dags folder done'))
        .catch((err: unknown) => log.error('first pass over the dags folder failed', { err }));
    }
    log.info(
      `scheduler started (job ${jobId}, executor ${executor.name}, parallelism ${schedulerOptions.parallelism})`,
    );
    loop.onLoop = (stats) => observeSchedulerLoop(stats.durationMs / 1000);
    // Every beat says the job is alive; the metrics go with it when publishing them is due.
    const pacer = new PublishPacer();
    const heartbeat = setInterval(() => {
      executorOpenSlots.set(executor.slotsAvailable());
      void beatAirflowMetrics(ctx, executor);
      const startedMs = performance.now();
      const publish = pacer.due(startedMs);
      // Paced on the serialisation's own time (not the write, which may wait behind the loop).
      (publish ? processMetricsRegistry.getMetricsAsJSON().then((json) => JSON.stringify(json)) : Promise.resolve(null))
        .then((metrics) => {
          if (metrics !== null) pacer.published(startedMs, performance.now());
          return heartbeatJob(ctx.dataSource, jobId, ctx.clock.now(), metrics);
        })
        .catch((err: unknown) => log.warn('heartbeat failed', { err }));
    }, schedulerOptions.heartbeatIntervalMs);
    heartbeat.unref();
    try {
      await loop.run({ numLoops: options.numLoops, signal: options.signal });
    } finally {
      clearInterval(heartbeat);
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await processor?.stop();
    await loop.shutdown();
    await executor.end(30_000).catch(() => undefined);
    await loop.drainFinalEvents().catch(() => undefined);
    await endJob(ctx.dataSource, jobId, failed ? 'failed' : 'success', ctx.clock.now()).catch(() => undefined);
    closeStatsd();
    log.info('scheduler stopped');
  }
}
