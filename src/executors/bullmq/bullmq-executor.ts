import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { LoadedConfig } from '../../config/load-config';
import { Clock, systemClock } from '../../core/clock';
import { parseDuration } from '../../core/duration';
import { describeTi } from '../../core/task-instance-key';
import { openDatabase } from '../../db/data-source';
import { getLogger } from '../../logging/logger';
import type { AdoptingExecutor } from '../../scheduler/reset-orphans';
import type { Executor, ExecutorEvent, TaskWorkload } from '../executor';
import { bullmqPriority, RESULTS_QUEUE, taskJobId } from './bullmq-keys';
import { DagSourceHashes } from './dag-source-hashes';
import { reconcileTaskJobs } from './reconcile-task-jobs';
import { copyRemoteLog } from './remote-log';
import { createRedisClient, reconnectDelayMs, redisOptions } from './redis-options';
import { isConnectionError, RedisOutageReporter } from './redis-outage-reporter';
import type { ResultJobData, TaskJobData } from './task-job';

export interface BullMQExecutorOptions {
  /**
   * The metadata DB, read (never written) for the reconciliation safety net and the DAG source
   * hashes sent with each job. Default: opened from `database.url`; null: neither.
   */
  dataSource?: DataSource | null;
  /** How often task instances are compared with their jobs in Redis (default 5s). */
  reconcileIntervalMs?: number;
  /** How long a missing job or claim is tolerated before acting (default 15s). */
  reconcileGraceMs?: number;
  clock?: Clock;
}

interface InFlight {
  workload: TaskWorkload;
  since: number;
}

const log = getLogger('executor');
const SEND_BATCH = 200;
/** Completed jobs stay a day (their return value backs up the result event), failed ones a week. */
const KEEP_COMPLETED = { age: 24 * 3600 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

/**
 * `core.executor = bullmq`: each try becomes a BullMQ job on the queue named by the task's
 * `queue`; `dagctl worker` processes run them and report started/finished/lost on a results
 * queue that every scheduler consumes, so a surviving scheduler applies the events of tries a
 * dead one sent (adoptsOrphans). A periodic reconciliation compares queued/running task
 * instances with their jobs and covers anything a crash or a Redis restart lost.
 */
export class BullMQExecutor implements Executor, AdoptingExecutor {
  readonly name = 'bullmq';
  readonly adoptsOrphans = true as const;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly outage: RedisOutageReporter;
  private redis: IORedis | null = null;
  private readonly queues = new Map<string, Queue>();
  private resultsWorker: Worker<ResultJobData> | null = null;
  private dataSource: DataSource | null = null;
  private ownsDataSource = false;
  private sourceHashes: DagSourceHashes | null = null;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly toSend: TaskWorkload[] = [];
  /** Job ids being added right now (not yet known to be in Redis). */
  private readonly sending = new Set<string>();
  private pumping = false;
  private events: ExecutorEvent[] = [];
  private readonly listeners: Array<() => void> = [];
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private readonly unaccountedSince = new Map<string, number>();
  private ended = false;
  private readonly reconcileIntervalMs: number;
  private readonly reconcileGraceMs: number;

  constructor(private readonly config: LoadedConfig, private readonly options: BullMQExecutorOptions = {}) {
    this.prefix = config.redis.key_prefix;
    this.clock = options.clock ?? systemClock;
    this.outage = new RedisOutageReporter(config.redis.url, log, 'the bullmq executor');
    this.reconcileIntervalMs = options.reconcileIntervalMs ?? 5000;
    this.reconcileGraceMs = options.reconcileGraceMs ?? 15_000;
  }

  async start(): Promise<void> {
    const redis = createRedisClient(this.config.redis.url);
    this.redis = redis;
    this.outage.watch(redis);
    redis.on('ready', () => {
      this.outage.recovered();
      void this.pump();
    });
    // Never wait for Redis here: an unreachable Redis must not stop the scheduler from starting.
    this.resultsWorker = new Worker<ResultJobData>(RESULTS_QUEUE, (job) => this.onResult(job.data), {
      connection: redisOptions(this.config.redis.url),
      prefix: this.prefix,
      concurrency: 64,
      lockDuration: 30_000,
      stalledInterval: 15_000,
      // A result held by a scheduler that died goes back to the queue for another one.
      maxStalledCount: 1000,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 1000 },
    });
    this.outage.watch(this.resultsWorker);

    if (this.options.dataSource !== null) {
      try {
        this.dataSource = this.options.dataSource ?? (await openDatabase(this.config.database.url, { poolSize: 2 }));
        this.ownsDataSource = this.options.dataSource === undefined;
        this.sourceHashes = new DagSourceHashes(this.dataSource);
      } catch (err) {
        log.error(`bullmq executor runs without reconciliation: ${(err as Error).message}`);
      }
    }
    if (this.dataSource) {
      this.reconcileTimer = setInterval(() => void this.reconcileNow(), this.reconcileIntervalMs);
      this.reconcileTimer.unref();
    }
  }

  queueWorkload(workload: TaskWorkload): void {
    if (this.ended) throw new Error(`bullmq executor has ended; cannot queue ${describeTi(workload.key, workload.tryNumber)}`);
    const jobId = taskJobId(workload.key, workload.tryNumber);
    if (this.inFlight.has(jobId)) {
      log.warn(`ignoring ${describeTi(workload.key, workload.tryNumber)}: already sent by this executor`);
      return;
    }
    this.inFlight.set(jobId, { workload, since: Date.now() });
    this.enqueueSend(workload);
  }

  slotsAvailable(): number {
    return this.ended ? 0 : Math.max(0, this.config.core.parallelism - this.inFlight.size);
  }

  drainEvents(): ExecutorEvent[] {
    const drained = this.events;
    this.events = [];
    return drained;
  }

  onEvent(listener: () => void): void {
    this.listeners.push(listener);
  }

  runningKeys(): Array<{ key: TaskWorkload['key']; tryNumber: number }> {
    return [...this.inFlight.values()].map(({ workload }) => ({ key: workload.key, tryNumber: workload.tryNumber }));
  }

  /**
   * Stop taking work. Tries run on workers, not here: they keep running and any scheduler
   * applies their results. Waits (up to timeoutMs) only for tries not yet handed to Redis.
   */
  async end(timeoutMs = 30_000): Promise<void> {
    this.ended = true;
    const deadline = Date.now() + timeoutMs;
    while ((this.toSend.length > 0 || this.sending.size > 0) && Date.now() < deadline && !this.outage.isDown) {
      await sleep(50);
    }
    if (this.toSend.length > 0) log.warn(`${this.toSend.length} tries were not handed to Redis before shutdown; another scheduler re-sends them`);
    await this.close(false);
  }

  async terminate(): Promise<void> {
    this.ended = true;
    await this.close(true);
  }

  /** Run one reconciliation pass now (tests; normally on a timer). */
  async reconcileNow(): Promise<void> {
    if (!this.dataSource || !this.redis || this.ended) return;
    if (this.reconciling) return this.reconciling;
    this.reconciling = (async () => {
      try {
        await reconcileTaskJobs({
          dataSource: this.dataSource as DataSource,
          redis: this.redis as IORedis,
          prefix: this.prefix,
          queueFor: (name) => this.queueFor(name),
          isSending: (jobId) => this.sending.has(jobId),
          inFlight: this.inFlight,
          unaccountedSince: this.unaccountedSince,
          queuedTimeoutMs: parseDuration(this.config.scheduler.task_queued_timeout, 'scheduler.task_queued_timeout'),
          graceMs: this.reconcileGraceMs,
          now: this.clock.now(),
          onEvent: (jobId, event) => this.onResult({ jobId, event }),
          resend: (workload) => this.resend(workload),
        });
      } catch (err) {
        log.warn(`bullmq reconciliation failed: ${(err as Error).message}`);
      } finally {
        this.reconciling = null;
      }
    })();
    return this.reconciling;
  }

  private resend(workload: TaskWorkload): void {
    const jobId = taskJobId(workload.key, workload.tryNumber);
    log.warn(`re-sending ${describeTi(workload.key, workload.tryNumber)}: its job is no longer in Redis and no worker took it`);
    this.inFlight.set(jobId, { workload, since: Date.now() });
    this.enqueueSend(workload);
  }

  private enqueueSend(workload: TaskWorkload): void {
    this.toSend.push(workload);
    this.sending.add(taskJobId(workload.key, workload.tryNumber));
    void this.pump();
  }

  private queueFor(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redisOptions(this.config.redis.url), prefix: this.prefix });
      this.outage.watch(queue);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Hand waiting tries to Redis in batches; while Redis is unreachable, retry with backoff. */
  private async pump(): Promise<void> {
    if (this.pumping || !this.redis) return;
    this.pumping = true;
    let failures = 0;
    try {
      while (this.toSend.length > 0 && this.redis) {
        const batch = this.toSend.slice(0, SEND_BATCH);
        try {
          await this.send(batch);
          this.toSend.splice(0, batch.length);
          for (const workload of batch) this.sending.delete(taskJobId(workload.key, workload.tryNumber));
          failures = 0;
        } catch (err) {
          failures += 1;
          this.outage.failed(err as Error);
          if (failures >= 5 && !isConnectionError(err)) {
            await this.sendOneByOne(batch);
            failures = 0;
            continue;
          }
          await sleep(reconnectDelayMs(failures));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A batch Redis keeps refusing (not an outage): send each alone; one that still fails is lost. */
  private async sendOneByOne(batch: TaskWorkload[]): Promise<void> {
    this.toSend.splice(0, batch.length);
    for (const workload of batch) {
      const jobId = taskJobId(workload.key, workload.tryNumber);
      try {
        await this.send([workload]);
      } catch (err) {
        const reason = `cannot queue the try in Redis: ${(err as Error).message.split('\n')[0]}`;
        log.error(`${describeTi(workload.key, workload.tryNumber)}: ${reason}`);
        await this.onResult({ jobId, event: { type: 'lost', key: workload.key, tryNumber: workload.tryNumber, at: this.clock.now().toISOString(), reason } });
      } finally {
        this.sending.delete(jobId);
      }
    }
  }

  private async send(batch: TaskWorkload[]): Promise<void> {
    const byQueue = new Map<string, Array<{ name: string; data: TaskJobData; opts: { jobId: string; priority: number; attempts: number; removeOnComplete: typeof KEEP_COMPLETED; removeOnFail: typeof KEEP_FAILED } }>>();
    const sentAt = this.clock.now().toISOString();
    for (const workload of batch) {
      const data: TaskJobData = {
        workload,
        relativeFileloc: relativeTo(this.config.core.dags_folder, workload.fileloc),
        sourceHash: (await this.sourceHashes?.get(workload.fileloc).catch(() => null)) ?? null,
        sentAt,
      };
      const jobs = byQueue.get(workload.queue) ?? [];
      jobs.push({
        name: workload.key.taskId,
        data,
        opts: { jobId: taskJobId(workload.key, workload.tryNumber), priority: bullmqPriority(workload.priority), attempts: 1, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
      });
      byQueue.set(workload.queue, jobs);
    }
    for (const [queue, jobs] of byQueue) await this.queueFor(queue).addBulk(jobs);
  }

  /** An event from a worker (or the reconciliation): copy the finished try's log, then report it. */
  private async onResult(data: ResultJobData): Promise<void> {
    const { event, jobId } = data;
    if (event.type !== 'started') {
      if (this.redis) {
        try {
          await copyRemoteLog(this.redis, this.prefix, this.config.logging.base_log_folder, event.key, event.tryNumber);
        } catch (err) {
          log.warn(`cannot copy the log of ${describeTi(event.key, event.tryNumber)}: ${(err as Error).message}`);
        }
      }
      this.inFlight.delete(jobId);
    }
    this.events.push(event);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        log.error(`executor event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async close(force: boolean): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = null;
    await this.reconciling?.catch(() => undefined);
    const worker = this.resultsWorker;
    this.resultsWorker = null;
    if (worker) await withTimeout(worker.close(force), 10_000);
    for (const queue of this.queues.values()) await withTimeout(queue.close(), 5000);
    this.queues.clear();
    const redis = this.redis;
    this.redis = null;
    if (redis) await withTimeout(redis.quit().then(() => undefined), 2000).finally(() => redis.disconnect());
    if (this.ownsDataSource && this.dataSource?.isInitialized) await this.dataSource.destroy().catch(() => undefined);
    this.dataSource = null;
  }
}

function relativeTo(folder: string, file: string): string | null {
  const relative = path.relative(folder, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  await Promise.race([promise.catch(() => undefined), sleep(ms)]);
}
