import os from 'node:os';
import { Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import type { LoadedConfig } from '../../config/load-config';
import { describeTi } from '../../core/task-instance-key';
import { getLogger } from '../../logging/logger';
import { taskLogPath } from '../../logging/task-log-path';
import { formatDurationMs } from '../../runner/format-duration-ms';
import { TaskProcessPool } from '../../runner/task-process-pool';
import type { ExecutorEvent } from '../../core/executor';
import { taskPoolOptionsFromConfig } from '../task-pool-options-from-config';
import { tryClaimKey, workerHeartbeatKey } from './bullmq-keys';
import { dagVersionMismatch, localFileloc } from './dag-file-version';
import { readLogTail } from './job-log-tail';
import { DUPLICATE_DELIVERY, STALLED_REASON } from './reconcile-decision';
import { RemoteLogShipper } from './remote-log-shipper';
import { createRedisClient, reconnectDelayMs, redisOptions } from './redis-options';
import { RedisOutageReporter } from './redis-outage-reporter';
import { addResult } from './results-stream';
import type { TaskJobData, TaskJobResult } from './task-job';
import { stopRequested, watchStopRequests } from './stop-requests';
import { TaskSlots } from './task-slots';
import { schedulerVariableSource } from './scheduler-secret-source';
import type { VariableSource } from '../../runner/variable-source';

export interface StartWorkerOptions {
  /** Queues to take tries from. */
  queues: string[];
  /** Tries run at once, across all queues. */
  concurrency: number;
  /** Aborting it is the same as close(). */
  signal?: AbortSignal;
  /** How long running tries may finish after close() (default `worker.shutdown_timeout`). */
  shutdownTimeoutMs?: number;
  /** BullMQ job lock: a worker silent this long has stalled (default 10s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 5s). */
  stalledIntervalMs?: number;
  /** Heartbeat and claim refresh period (default 5s). */
  heartbeatIntervalMs?: number;
  /** A stopped try's processes get SIGTERM, then SIGKILL this long after (default `core.killed_task_cleanup_time`). */
  killGraceMs?: number;
  /** A try's start is reported once it ran this long; a shorter try's start goes with its result (default 20ms). */
  startedReportDelayMs?: number;
  hostname?: string;
}

export interface RunningWorker {
  /** `<hostname>:<pid>:<random>`, also the value of the claims it holds. */
  readonly id: string;
  readonly queues: readonly string[];
  /** Tries running (or holding a slot) now. */
  runningTries(): number;
  /**
   * Stop taking jobs, let running tries finish within `timeoutMs` (default the shutdown timeout),
   * then kill them and report them lost. Jobs taken but not started are handed back.
   */
  close(timeoutMs?: number): Promise<void>;
}

/** What a live worker publishes under its heartbeat key. */
export interface WorkerHeartbeat {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  running: number;
  startedAt: string;
  at: string;
}

const log = getLogger('worker');
/** A claim outlives a missed refresh or two, but not a dead worker by long. */
const CLAIM_TTL_FACTOR = 4;
const LOG_SHIP_INTERVAL_MS = 500;
/**
 * A try's `started` is reported once it has run this long; a shorter try's start travels with its
 * result (one Redis round trip and one scheduler pass instead of two). Its time is the real start.
 */
const STARTED_REPORT_DELAY_MS = 20;

/** Why a try failed (its job then fails with this reason), or null when it did not fail. */
function failureReason(result: TaskJobResult): string | null {
  if (result.kind === 'lost') return result.reason;
  if (result.outcome.state === 'failed') return result.outcome.reason ?? 'task failed';
  return null;
}

/**
 * `dagctl worker`: takes tries from the named BullMQ queues and runs each in a warm task process
 * (the same runner as the local executor), reporting started/finished/lost on the results stream.
 * Needs the dags folder and `redis.url`, not the metadata DB (except for `{{ var }}` templates).
 */
export async function startWorker(config: LoadedConfig, options: StartWorkerOptions): Promise<RunningWorker> {
  const worker = new DagctlWorker(config, options);
  worker.start();
  if (options.signal) {
    const close = (): void => {
      worker.close().catch((err: unknown) => log.error(`worker ${worker.id} did not shut down cleanly`, { err }));
    };
    if (options.signal.aborted) close();
    else options.signal.addEventListener('abort', close, { once: true });
  }
  return worker;
}

/** A try's `started` event until it is reported. */
interface PendingStart {
  event: ExecutorEvent | null;
  timer: NodeJS.Timeout | null;
}

class DagctlWorker implements RunningWorker {
  readonly id: string;
  readonly queues: readonly string[];
  private readonly hostname: string;
  private readonly prefix: string;
  private readonly outage: RedisOutageReporter;
  private readonly redis: IORedis;
  private readonly pool: TaskProcessPool;
  private readonly slots: TaskSlots;
  private readonly variables: VariableSource;
  private readonly bullWorkers: Worker<TaskJobData, TaskJobResult>[] = [];
  private readonly activePerQueue = new Map<string, number>();
  private readonly claims = new Set<string>();
  /** The tries this worker runs now, by job id (for stop requests). */
  private readonly triesHere = new Map<string, TaskJobData['workload']>();
  /** A connection of its own for stop requests (a subscribed connection runs no commands). */
  private readonly stopSubscriber: IORedis;
  private readonly shippers = new Set<RemoteLogShipper>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt = new Date().toISOString();
  private readonly heartbeatIntervalMs: number;
  private stopping = false;
  private stopTimeoutMs = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly config: LoadedConfig,
    private readonly options: StartWorkerOptions,
  ) {
    if (options.queues.length === 0) throw new Error('a worker needs at least one queue');
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new Error(`worker concurrency must be a positive integer, got ${options.concurrency}`);
    this.hostname = options.hostname ?? os.hostname();
    this.id = `${this.hostname}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.queues = [...options.queues];
    this.prefix = config.redis.key_prefix;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
    this.outage = new RedisOutageReporter(config.redis.url, log, `worker ${this.id}`);
    this.redis = createRedisClient(config.redis.url);
    this.outage.watch(this.redis);
    this.redis.on('ready', () => this.outage.recovered());
    this.stopSubscriber = createRedisClient(config.redis.url);
    this.outage.watch(this.stopSubscriber);
    this.variables = schedulerVariableSource({ redis: this.redis, prefix: this.prefix, workerId: this.id });
    this.slots = new TaskSlots(options.concurrency);
    this.pool = new TaskProcessPool({
      size: options.concurrency,
      ...taskPoolOptionsFromConfig(config),
      killGraceMs: options.killGraceMs ?? config.core.killed_task_cleanup_time,
      stoppedBy: `worker ${this.id}`,
      variables: this.variables,
      onLogError: (message) => log.warn(message),
    });
  }

  start(): void {
    this.pool.prewarm(1);
    watchStopRequests(this.stopSubscriber, this.prefix, ({ jobId, reason }) => this.stopTry(jobId, reason)).catch(
      (err: unknown) => this.outage.failed(err as Error),
    );
    for (const queue of this.queues) {
      const bull = new Worker<TaskJobData, TaskJobResult>(queue, (job, token) => this.process(job, token), {
        connection: redisOptions(this.config.redis.url),
        prefix: this.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs ?? 10_000,
        stalledInterval: this.options.stalledIntervalMs ?? 5000,
        // A stalled try is never run again at the same try number: BullMQ fails it (reported
        // as lost below) and the scheduler retries it as a new try, per the task's retries.
        maxStalledCount: 0,
        name: this.id,
      });
      this.outage.watch(bull);
      bull.on('failed', (job, err) => {
        if (job && err?.message === STALLED_REASON) {
          const { key, tryNumber } = job.data.workload;
          const reason = 'the worker running it stopped responding (died or lost Redis)';
          log.warn(`${describeTi(key, tryNumber)} lost: ${reason}`);
          // report() retries until Redis takes the event, then gives up with a log line: it never rejects.
          void this.report(job.id as string, { type: 'lost', key, tryNumber, at: new Date().toISOString(), reason });
        }
      });
      this.bullWorkers.push(bull);
      this.activePerQueue.set(queue, 0);
    }
    // heartbeat() hands a Redis failure to the outage reporter, and a shipper's tick() swallows
    // one (the next tick or the final flush ships the lines): neither rejects.
    this.timers.push(setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs));
    this.timers.push(
      setInterval(() => {
        for (const shipper of this.shippers) void shipper.tick();
      }, LOG_SHIP_INTERVAL_MS),
    );
    for (const timer of this.timers) timer.unref();
    void this.heartbeat();
    log.info(`worker ${this.id} takes tries from ${this.queues.join(', ')} (concurrency ${this.options.concurrency})`);
  }

  runningTries(): number {
    return this.slots.inUse;
  }

  close(timeoutMs = this.shutdownTimeoutMs()): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async process(job: Job<TaskJobData, TaskJobResult>, token: string | undefined): Promise<TaskJobResult> {
    const jobId = job.id as string;
    const { workload } = job.data;
    const claimKey = tryClaimKey(this.prefix, jobId);
    const claimTtl = this.heartbeatIntervalMs * CLAIM_TTL_FACTOR;
    if ((await this.redis.set(claimKey, this.id, 'PX', claimTtl, 'NX')) !== 'OK') {
      const holder = await this.redis.get(claimKey);
      throw new UnrecoverableError(
        `${DUPLICATE_DELIVERY}: ${describeTi(workload.key, workload.tryNumber)} ` +
          `was already taken by worker ${holder ?? 'unknown'}`,
      );
    }
    this.claims.add(jobId);
    this.countActive(job.queueName, +1);
    const granted = await this.slots.acquire();
    if (!granted) {
      // Shutting down before the try started: hand the job back untouched for another worker.
      this.claims.delete(jobId);
      this.countActive(job.queueName, -1);
      await this.redis.del(claimKey);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    try {
      const result = await this.runTry(job.data, jobId);
      await this.copyLogToJob(job);
      const failure = failureReason(result);
      if (failure === null) return result;
      // A failed try is a failed job (bull-board's Failed tab, queue.getFailed()), failing with
      // the try's reason. Never retried by BullMQ (attempts 1, and unrecoverable besides):
      // retries are the scheduler's, as new tries. The result a failed job cannot return is
      // kept in its data for reconciliation, as a completed job's return value is.
      await job.updateData({ ...job.data, result });
      throw new UnrecoverableError(failure);
    } finally {
      this.slots.release();
      this.claims.delete(jobId);
      this.countActive(job.queueName, -1);
    }
  }

  private async runTry(data: TaskJobData, jobId: string): Promise<TaskJobResult> {
    const { key, tryNumber } = data.workload;
    const fileloc = localFileloc(data, this.config.core.dags_folder);
    const workload = { ...data.workload, fileloc };
    const shipper = new RemoteLogShipper(
      this.redis,
      this.prefix,
      jobId,
      taskLogPath(this.config.logging.base_log_folder, key, tryNumber),
    );
    let result: TaskJobResult;
    const started: PendingStart = { event: null, timer: null };
    const mismatch = dagVersionMismatch(data, fileloc, this.hostname);
    if (mismatch) {
      await shipper.note(`[${new Date().toISOString()}] ERROR - ${mismatch}`);
      result = { kind: 'finished', outcome: { state: 'failed', reason: mismatch } };
    } else {
      this.shippers.add(shipper);
      const running = this.pool.run(workload, {
        onStarted: (pid) => {
          started.event = {
            type: 'started',
            key,
            tryNumber,
            at: new Date().toISOString(),
            hostname: this.hostname,
            pid,
          };
          started.timer = setTimeout(
            () => this.reportStarted(jobId, started),
            this.options.startedReportDelayMs ?? STARTED_REPORT_DELAY_MS,
          );
        },
      });
      // Stop requests that came before this worker took the try (or while it was being placed).
      this.triesHere.set(jobId, workload);
      stopRequested(this.redis, this.prefix, jobId).then(
        (reason) => {
          if (reason !== null) this.stopTry(jobId, reason);
        },
        (err: unknown) => this.outage.failed(err as Error),
      );
      const run = await running;
      this.triesHere.delete(jobId);
      if (started.timer) clearTimeout(started.timer);
      this.shippers.delete(shipper);
      if (run.kind === 'finished') result = { kind: 'finished', outcome: run.outcome };
      else if (run.kind === 'unclaimed') result = { kind: 'lost', reason: 'the try was not claimed' };
      else if (this.stopping)
        result = {
          kind: 'lost',
          reason:
            `worker ${this.id} shut down before the try finished ` +
            `(killed after ${formatDurationMs(this.stopTimeoutMs)}): ${run.reason}`,
        };
      else result = { kind: 'lost', reason: run.reason };
    }
    const at = new Date().toISOString();
    const event: ExecutorEvent =
      result.kind === 'finished'
        ? { type: 'finished', key, tryNumber, at, outcome: result.outcome }
        : { type: 'lost', key, tryNumber, at, reason: result.reason };
    // The result (after a start not reported yet) goes with the end of the log in one round trip;
    // only if that failed, on its own.
    const events = started.event ? [started.event, event] : [event];
    started.event = null;
    if (!(await shipper.finish((multi) => events.forEach((e) => addResult(multi, this.prefix, { jobId, event: e }))))) {
      for (const e of events) await this.report(jobId, e);
    }
    return result;
  }

  /**
   * Append the end of the try's log (masked as the task log is) to the job's logs, for
   * bull-board and queue.getJobLogs(). Best effort: the task log itself is what dagctl serves.
   */
  private async copyLogToJob(job: Job<TaskJobData, TaskJobResult>): Promise<void> {
    const { key, tryNumber } = job.data.workload;
    const lines = readLogTail(taskLogPath(this.config.logging.base_log_folder, key, tryNumber));
    try {
      // Sent together (one connection keeps their order); keepLogs trims the list to the bound.
      await Promise.all(lines.map((line) => job.log(line)));
    } catch (err) {
      log.warn(`could not copy the log of ${describeTi(key, tryNumber)} to its BullMQ job`, { err });
    }
  }

  /** A scheduler asked to stop a try: if it runs here, its process tree is stopped. */
  private stopTry(jobId: string, reason: string): void {
    const workload = this.triesHere.get(jobId);
    if (workload) this.pool.stopTry(workload.key, workload.tryNumber, reason);
  }

  private reportStarted(jobId: string, started: PendingStart): void {
    const event = started.event;
    started.event = null;
    if (event) void this.report(jobId, event); // never rejects (see report())
  }

  /** Put an event on the results stream, retrying until Redis takes it. */
  private async report(jobId: string, event: ExecutorEvent): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await addResult(this.redis, this.prefix, { jobId, event });
        return;
      } catch (err) {
        this.outage.failed(err as Error);
        if (attempt >= 1000) {
          log.error(`gave up reporting ${event.type} of ${describeTi(event.key, event.tryNumber)}`, { err });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(attempt)));
      }
    }
  }

  /** Bound the jobs each queue's BullMQ worker holds to the slots still free across queues. */
  private countActive(queue: string, delta: number): void {
    this.activePerQueue.set(queue, (this.activePerQueue.get(queue) ?? 0) + delta);
    if (this.bullWorkers.length < 2) return;
    for (const bull of this.bullWorkers) {
      const own = this.activePerQueue.get(bull.name) ?? 0;
      bull.concurrency = Math.max(1, own + this.slots.free);
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.outage.isDown && this.redis.status !== 'ready') return;
    const beat: WorkerHeartbeat = {
      id: this.id,
      hostname: this.hostname,
      pid: process.pid,
      queues: [...this.queues],
      concurrency: this.options.concurrency,
      running: this.slots.inUse,
      startedAt: this.startedAt,
      at: new Date().toISOString(),
    };
    const claimTtl = this.heartbeatIntervalMs * CLAIM_TTL_FACTOR;
    const multi = this.redis
      .multi()
      .set(workerHeartbeatKey(this.prefix, this.id), JSON.stringify(beat), 'PX', this.heartbeatIntervalMs * 3);
    // Re-set (not just extend) claims: after a Redis restart they come back within one beat.
    for (const jobId of this.claims) multi.set(tryClaimKey(this.prefix, jobId), this.id, 'PX', claimTtl);
    await multi.exec().catch((err: Error) => this.outage.failed(err));
  }

  private shutdownTimeoutMs(): number {
    return this.options.shutdownTimeoutMs ?? this.config.worker.shutdown_timeout;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.stopTimeoutMs = timeoutMs;
    log.info(
      `worker ${this.id} stopping: no new tries; ` +
        `waiting up to ${formatDurationMs(timeoutMs)} for ${this.slots.inUse} running`,
    );
    const workersClosed = Promise.all(
      this.bullWorkers.map((bull) =>
        bull.close().catch((err: unknown) => log.warn(`closing queue ${bull.name}`, { err })),
      ),
    );
    this.slots.rejectWaiters();
    await this.pool.close(timeoutMs);
    await workersClosed;
    for (const timer of this.timers) clearInterval(timer);
    await this.redis.del(workerHeartbeatKey(this.prefix, this.id)).catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
    await this.stopSubscriber.quit().catch(() => this.stopSubscriber.disconnect());
    log.info(`worker ${this.id} stopped`);
  }
}
