import type IORedis from 'ioredis';
import { errorMessage } from '../../core/errors';
import { createRedisClient, reconnectDelayMs } from './redis-options';
import {
  ackResults,
  ensureResultsGroup,
  parseEntries,
  ResultEntry,
  RESULTS_GROUP,
  resultsStreamKey,
} from './results-stream';

export interface ResultsConsumerOptions {
  redisUrl: string;
  prefix: string;
  /** This scheduler's name in the consumer group (unique per executor). */
  consumer: string;
  /** Connection for acknowledgements and claims (the blocking read has its own). */
  commands: IORedis;
  /** Receives each batch read; must not throw. Entries are held until ack(). */
  onResults(entries: ResultEntry[]): Promise<void>;
  onError(err: Error): void;
  /** Entries per read (default 1000). */
  batchSize?: number;
  /** How long one read blocks waiting for entries (default 1s; also how fast stop() is seen without a disconnect). */
  blockMs?: number;
  /** An entry another scheduler read but left unacknowledged this long is taken over (default 30s). */
  claimIdleMs?: number;
  /** How often such entries are looked for (default 5s). */
  claimIntervalMs?: number;
  /** A consumer (scheduler) with nothing pending and silent this long is removed from the group (default 1h). */
  goneConsumerIdleMs?: number;
  /** An unreadable entry (acknowledged and dropped). */
  onUnreadable?(id: string): void;
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
const GONE_CONSUMER_IDLE_MS = 3600_000;

/**
 * Reads the results stream for one scheduler: blocking XREADGROUP of up to batchSize entries per
 * round trip, and, every claimIntervalMs, XAUTOCLAIM of entries a dead scheduler had read but never
 * acknowledged. Survives Redis outages and restarts (a lost consumer group is created again).
 */
export class ResultsConsumer {
  private readonly blocking: IORedis;
  /** Entries handed over and not yet acknowledged (a claim must not hand them over twice). */
  private readonly held = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private nextClaimAt = 0;
  private nextPruneAt = 0;

  constructor(private readonly options: ResultsConsumerOptions) {
    this.blocking = createRedisClient(options.redisUrl);
    this.blocking.on('error', (err: Error) => options.onError(err));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** The applied entries: acknowledged and deleted from the stream (errors only reported: a claim re-delivers). */
  async ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await ackResults(this.options.commands, this.options.prefix, ids);
    } catch (err) {
      // After a Redis restart the entries are gone with their group: nothing left to acknowledge.
      if (!/NOGROUP/.test(errorMessage(err))) this.options.onError(err as Error);
    } finally {
      for (const id of ids) this.held.delete(id);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const key = resultsStreamKey(this.options.prefix);
    const blockMs = this.options.blockMs ?? 1000;
    let groupReady = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!groupReady) {
          await ensureResultsGroup(this.blocking, this.options.prefix);
          groupReady = true;
        }
        if (Date.now() >= this.nextClaimAt) {
          this.nextClaimAt = Date.now() + (this.options.claimIntervalMs ?? 5000);
          await this.claimAbandoned();
        }
        const reply = (await this.blocking.xreadgroup(
          'GROUP',
          RESULTS_GROUP,
          this.options.consumer,
          'COUNT',
          this.options.batchSize ?? 1000,
          'BLOCK',
          blockMs,
          'STREAMS',
          key,
          '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        await this.deliver(parseEntries(reply?.[0]?.[1]));
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        // Redis restarted empty: the group (and stream) went with it.
        if (/NOGROUP/.test(errorMessage(err))) {
          groupReady = false;
          continue;
        }
        failures += 1;
        this.options.onError(err as Error);
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(failures)).unref());
      }
    }
  }

  /** Take over entries left unacknowledged too long (their scheduler died between read and commit). */
  private async claimAbandoned(): Promise<void> {
    const key = resultsStreamKey(this.options.prefix);
    const minIdle = this.options.claimIdleMs ?? 30_000;
    let cursor = '0-0';
    for (let round = 0; round < 10; round += 1) {
      const [next, entries] = (await this.blocking.xautoclaim(
        key,
        RESULTS_GROUP,
        this.options.consumer,
        minIdle,
        cursor,
        'COUNT',
        500,
      )) as [string, Array<[string, string[]]>];
      await this.deliver(parseEntries(entries.filter((entry) => entry !== null)));
      cursor = next;
      if (cursor === '0-0') break;
    }
    if (Date.now() >= this.nextPruneAt) {
      this.nextPruneAt = Date.now() + PRUNE_INTERVAL_MS;
      await this.pruneGoneConsumers();
    }
  }

  /** Forget the consumers of schedulers long gone (nothing pending, silent for an hour): each start adds one. */
  private async pruneGoneConsumers(): Promise<void> {
    const key = resultsStreamKey(this.options.prefix);
    const consumers = (await this.blocking.xinfo('CONSUMERS', key, RESULTS_GROUP)) as Array<Array<string | number>>;
    for (const fields of consumers) {
      const info = new Map<string, string | number>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
      const name = String(info.get('name'));
      if (
        name !== this.options.consumer &&
        Number(info.get('pending')) === 0 &&
        Number(info.get('idle')) > (this.options.goneConsumerIdleMs ?? GONE_CONSUMER_IDLE_MS)
      ) {
        await this.blocking.xgroup('DELCONSUMER', key, RESULTS_GROUP, name);
      }
    }
  }

  private async deliver(entries: Array<{ id: string; data: ResultEntry['data'] | null }>): Promise<void> {
    const fresh: ResultEntry[] = [];
    const unreadable: string[] = [];
    for (const { id, data } of entries) {
      if (this.held.has(id)) continue;
      if (!data) {
        unreadable.push(id);
        continue;
      }
      this.held.add(id);
      fresh.push({ id, data });
    }
    for (const id of unreadable) this.options.onUnreadable?.(id);
    if (unreadable.length) await ackResults(this.options.commands, this.options.prefix, unreadable);
    if (fresh.length) await this.options.onResults(fresh);
  }
}
