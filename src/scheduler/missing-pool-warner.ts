import type { EntityManager } from 'typeorm';
import { type Clock, systemClock } from '../core/clock';
import { execSql } from '../db/sql';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

/** How often tasks waiting for a missing pool are named in the log (and, while nothing can be queued, looked for). */
const MISSING_POOL_WARN_INTERVAL_MS = 60_000;

/**
 * Tasks of a pool that does not exist wait for it; the warner says so, since nothing else will.
 * What it said and when it last looked belong to the one scheduler loop that keeps it: two loops
 * in one process (tests, `dags test`) each keep their own.
 */
export class MissingPoolWarner {
  /** When each missing pool was last named in the log. */
  private readonly warnedAt = new Map<string, number>();
  private lastScanAt: number | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Name in the log the pools outside `known` that scheduled task instances wait for, each at most
   * once per interval; returns the pools named now. The look walks every scheduled row:
   * `unlessScannedRecently` skips it when one was made within the interval.
   */
  async warn(m: EntityManager, known: string[], options: { unlessScannedRecently?: boolean } = {}): Promise<string[]> {
    const now = this.clock.now().getTime();
    if (
      options.unlessScannedRecently &&
      this.lastScanAt !== undefined &&
      now - this.lastScanAt < MISSING_POOL_WARN_INTERVAL_MS
    )
      return [];
    this.lastScanAt = now;
    const { records } = await execSql<{ pool: string }>(
      m,
      `SELECT DISTINCT pool FROM task_instance WHERE state = 'scheduled'
       ${known.length ? `AND pool NOT IN (${known.map(() => '?').join(', ')})` : ''}`,
      known,
    );
    const named: string[] = [];
    for (const { pool } of records) {
      const warnedAt = this.warnedAt.get(pool);
      if (warnedAt !== undefined && now - warnedAt < MISSING_POOL_WARN_INTERVAL_MS) continue;
      this.warnedAt.set(pool, now);
      log.warn(`tasks wait for pool '${pool}', which does not exist (dagctl pools set ${pool} N)`);
      named.push(pool);
    }
    return named;
  }
}
