import { errorMessage } from '../../core/errors';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { LoadedConfig } from '../../config/load-config';
import { Clock, systemClock } from '../../core/clock';
import { describeTi, TaskInstanceKey } from '../../core/task-instance-key';
import { openDatabase } from '../../db/data-source';
import { getLogger } from '../../logging/logger';
import { EventBuffer } from '../event-buffer';
import type { AdoptingExecutor, Executor, ExecutorEvent, TaskWorkload } from '../../core/executor';
import { bullmqPriority, taskJobId } from './bullmq-keys';
import { JOB_LOG_MAX_LINES } from './job-log-tail';
import { DagSourceHashes } from './dag-source-hashes';
import { reconcileTaskJobs } from './reconcile-task-jobs';
import { copyRemoteLogs, LogCopyOutcome } from './remote-log';
import { createRedisClient, reconnectDelayMs, redisOptions } from './redis-options';
import { isConnectionError, RedisOutageReporter } from './redis-outage-reporter';
import { ResultsConsumer } from './results-consumer';
import { SecretRequestServer } from './secret-request-server';
import { requestStop } from './stop-requests';
import type { ResultEntry } from './results-stream';
import type { ResultJobData, TaskJobData } from './task-job';

export interface BullMQExecutorOptions {
  /**
   * The metadata DB, read (never written) for the reconciliation safety net, the DAG source
   * hashes sent with each job, and the variables and connections workers ask for. Default:
   * opened from `database.url`; null: none of these.
   */
  dataSource?: DataSource | null;
  /** How often task instances are compared with their jobs in Redis (default 5s). */
  reconcileIntervalMs?: number;
  /** How long a missing job or claim is tolerated before acting (default 15s). */
  reconcileGraceMs?: number;
  /** A result another scheduler read but never acknowledged is taken over after this long (default 30s). */
  resultClaimIdleMs?: number;
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
 * stream that every scheduler consumes (one consumer group), so a surviving scheduler applies the
 * events of tries a dead one sent (adoptsOrphans). Results are read in batches, handed to the
 * scheduler together, and acknowledged only once the scheduler loop that drained them ended; a
 * scheduler that dies in between leaves them to another one. A periodic reconciliation compares
 * queued/running task instances with their jobs and covers anything a crash or a Redis restart lost.
 */
export class BullMQExecutor implements Executor, AdoptingExecutor {
  readonly name = 'bullmq';
  readonly adoptsOrphans = true as const;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly outage: RedisOutageReporter;
  private redis: IORedis | null = null;
  private readonly queues = new Map<string, Queue>();
  private results: ResultsConsumer | null = null;
  private secrets: SecretRequestServer | null = null;
  private dataSource: DataSource | null = null;
  private ownsDataSource = false;
  private sourceHashes: DagSourceHashes | null = null;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly toSend: TaskWorkload[] = [];
  /** Job ids being added right now (not yet known to be in Redis). */
  private readonly sending = new Set<string>();
  private pumping = false;
  private readonly events = new EventBuffer((err) => log.error('executor event listener failed', { err }));
  /** Stream entries of the buffered events, and of those the scheduler drained last. */
  private bufferedEntryIds: string[] = [];
  private drainedEntryIds: string[] = [];
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private readonly unaccountedSince = new Map<string, number>();
  private ended = false;
  private readonly reconcileIntervalMs: number;
  private readonly reconcileGraceMs: number;

  constructor(
    private readonly config: LoadedConfig,
    private readonly options: BullMQExecutorOptions = {},
  ) {
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
      this.pumpInBackground();
    });
    // Never wait for Redis here: an unreachable Redis must not stop the scheduler from starting.
    this.results = new ResultsConsumer({
      redisUrl: this.config.redis.url,
      prefix: this.prefix,
      consumer: `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      commands: redis,
      claimIdleMs: this.options.resultClaimIdleMs,
      onResults: (entries) => this.onResults(entries),
      onError: (err) => this.outage.failed(err),
      onUnreadable: (id) => log.warn(`dropping unreadable results stream entry ${id}`),
    });
    this.results.start();

    if (this.options.dataSource !== null) {
      try {
        this.dataSource =
          this.options.dataSource ??
          (await openDatabase(this.config.database.url, { poolSize: 2, fernetKey: this.config.core.fernet_key }));
        this.ownsDataSource = this.options.dataSource === undefined;
        this.sourceHashes = new DagSourceHashes(this.dataSource, this.clock);
      } catch (err) {
        log.error('bullmq executor runs without reconciliation', { err });
      }
    }
    if (this.dataSource) {
      // Workers hold no database credentials: their tasks' variables and connections come from here.
      this.secrets = new SecretRequestServer(
        createRedisClient(this.config.redis.url),
        redis,
        this.prefix,
        this.dataSource,
      );
      this.secrets.start();
      // reconcileNow() catches and logs its own failures.
      this.reconcileTimer = setInterval(() => void this.reconcileNow(), this.reconcileIntervalMs);
      this.reconcileTimer.unref();
    }
  }

  queueWorkload(workload: TaskWorkload): void {
    if (this.ended)
      throw new Error(`bullmq executor has ended; cannot queue ${describeTi(workload.key, workload.tryNumber)}`);
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
    // The scheduler drains at the start of each loop, so the previous drain's events are applied.
    // ack() reports its own failures to the outage reporter and never rejects.
    void this.results?.ack(this.drainedEntryIds);
    this.drainedEntryIds = this.bufferedEntryIds;
    this.bufferedEntryIds = [];
    return this.events.drain();
  }

  onEvent(listener: () => void): void {
    this.events.onEvent(listener);
  }

  /** True while Redis cannot be reached (queued tries wait in memory until it can). */
  get redisDown(): boolean {
    return this.outage.isDown;
  }

  /**
   * Ask the worker running this try to stop it (its whole process tree; see requestStop). The
   * worker reports the end as usual. Returns whether this executor had sent the try.
   */
  killTry(key: TaskInstanceKey, tryNumber: number, reason: string): boolean {
    const jobId = taskJobId(key, tryNumber);
    if (!this.inFlight.has(jobId) || !this.redis) return false;
    requestStop(this.redis, this.prefix, { jobId, reason }).catch((err: unknown) =>
      log.error(`cannot ask workers to stop ${describeTi(key, tryNumber)}`, { err }),
    );
    return true;
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
    if (this.toSend.length > 0)
      log.warn(`${this.toSend.length} tries were not handed to Redis before shutdown; another scheduler re-sends them`);
    await this.close();
  }

  async terminate(): Promise<void> {
    this.ended = true;
    await this.close();
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
          queuedTimeoutMs: this.config.scheduler.task_queued_timeout,
          graceMs: this.reconcileGraceMs,
          now: this.clock.now(),
          onEvent: (jobId, event) => this.accept([{ id: null, data: { jobId, event } }]),
          resend: (workload) => this.resend(workload),
        });
      } catch (err) {
        log.warn('bullmq reconciliation failed', { err });
      } finally {
        this.reconciling = null;
      }
    })();
    return this.reconciling;
  }

  private resend(workload: TaskWorkload): void {
    const jobId = taskJobId(workload.key, workload.tryNumber);
    log.warn(
      `re-sending ${describeTi(workload.key, workload.tryNumber)}: its job is no longer in Redis and no worker took it`,
    );
    this.inFlight.set(jobId, { workload, since: Date.now() });
    this.enqueueSend(workload);
  }

  private enqueueSend(workload: TaskWorkload): void {
    this.toSend.push(workload);
    this.sending.add(taskJobId(workload.key, workload.tryNumber));
    this.pumpInBackground();
  }

  /** pump() handles send failures itself; anything else escaping it is a bug, logged, not a crash. */
  private pumpInBackground(): void {
    this.pump().catch((err: unknown) => log.error('sending tries to Redis failed', { err }));
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
        const reason = `cannot queue the try in Redis: ${errorMessage(err).split('\n')[0]}`;
        log.error(`${describeTi(workload.key, workload.tryNumber)}: cannot queue the try in Redis`, { err });
        await this.accept([
          {
            id: null,
            data: {
              jobId,
              event: {
                type: 'lost',
                key: workload.key,
                tryNumber: workload.tryNumber,
                at: this.clock.now().toISOString(),
                reason,
              },
            },
          },
        ]);
      } finally {
        this.sending.delete(jobId);
      }
    }
  }

  private async send(batch: TaskWorkload[]): Promise<void> {
    const byQueue = new Map<
      string,
      Array<{
        name: string;
        data: TaskJobData;
        opts: {
          jobId: string;
          priority: number;
          attempts: number;
          removeOnComplete: typeof KEEP_COMPLETED;
          removeOnFail: typeof KEEP_FAILED;
          keepLogs: number;
        };
      }>
    >();
    const sentAt = this.clock.now().toISOString();
    const hashes = await this.sourceHashesOf(batch);
    for (const workload of batch) {
      const data: TaskJobData = {
        workload,
        relativeFileloc: relativeTo(this.config.core.dags_folder, workload.fileloc),
        sourceHash: hashes.get(workload.fileloc) ?? null,
        sentAt,
      };
      const jobs = byQueue.get(workload.queue) ?? [];
      jobs.push({
        name: workload.key.taskId,
        data,
        opts: {
          jobId: taskJobId(workload.key, workload.tryNumber),
          priority: bullmqPriority(workload.priority),
          attempts: 1,
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
          // The job's logs (bull-board) hold the last lines of the try's log, no more.
          keepLogs: JOB_LOG_MAX_LINES,
        },
      });
      byQueue.set(workload.queue, jobs);
    }
    for (const [queue, jobs] of byQueue) await this.queueFor(queue).addBulk(jobs);
  }

  /** The DAG source hash of each file in the batch: one lookup per distinct file, side by side. */
  private async sourceHashesOf(batch: TaskWorkload[]): Promise<Map<string, string | null>> {
    const files = [...new Set(batch.map((workload) => workload.fileloc))];
    const sourceHashes = this.sourceHashes;
    if (!sourceHashes) return new Map(files.map((file) => [file, null]));
    const hashes = await Promise.all(files.map((file) => sourceHashes.get(file).catch(() => null)));
    return new Map(files.map((file, i) => [file, hashes[i]]));
  }

  private onResults(entries: ResultEntry[]): Promise<void> {
    return this.accept(entries);
  }

  /**
   * Events from workers (a batch read from the stream; id null: from the reconciliation): copy the
   * logs of the ended tries (one round trip), then hand the whole batch to the scheduler at once.
   */
  private async accept(entries: Array<{ id: string | null; data: ResultJobData }>): Promise<void> {
    await this.copyLogs(entries.map(({ data: { event } }) => event).filter((event) => event.type !== 'started'));
    for (const { id, data } of entries) {
      if (data.event.type !== 'started') this.inFlight.delete(data.jobId);
      if (id !== null) this.bufferedEntryIds.push(id);
    }
    this.events.push(...entries.map(({ data }) => data.event));
  }

  private async copyLogs(ended: ExecutorEvent[]): Promise<void> {
    if (!this.redis || ended.length === 0) return;
    let outcomes: LogCopyOutcome[];
    try {
      outcomes = await copyRemoteLogs(this.redis, this.prefix, this.config.logging.base_log_folder, ended);
    } catch (err) {
      outcomes = ended.map(() => ({ error: errorMessage(err) }));
    }
    outcomes.forEach((outcome, i) => {
      if ('error' in outcome)
        log.warn(`cannot copy the log of ${describeTi(ended[i].key, ended[i].tryNumber)}: ${outcome.error}`);
    });
  }

  private async close(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = null;
    await this.reconciling?.catch(() => undefined);
    await this.secrets?.stop();
    this.secrets = null;
    const results = this.results;
    this.results = null;
    // Entries not yet applied stay unacknowledged: another scheduler takes them over.
    if (results) await withTimeout(results.stop(), 10_000);
    for (const queue of this.queues.values()) await withTimeout(queue.close(), 5000);
    this.queues.clear();
    const redis = this.redis;
    this.redis = null;
    if (redis)
      await withTimeout(
        redis.quit().then(() => undefined),
        2000,
      ).finally(() => redis.disconnect());
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
