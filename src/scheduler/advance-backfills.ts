import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import type { ExistsCondition } from '../db/which-exist';
import { advanceBackfill } from '../db/transitions/backfill-transitions';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

/** Whether advanceBackfills has anything to advance: a backfill neither paused nor completed. */
export const backfillsToAdvance: ExistsCondition = {
  sql: `SELECT 1 FROM backfill WHERE completed_at IS NULL AND is_paused = ?`,
  params: [false],
};

/**
 * Each loop: advance every backfill that is neither paused nor completed (at most `limit`, oldest
 * first) — create its next runs within its max_active_runs, complete it when done. A failure in
 * one backfill is logged with its id and the others go on. Returns the runs queued.
 */
export async function advanceBackfills(ds: DataSource, now: Date, limit: number): Promise<number> {
  const { records } = await execSql<{ id: number; dag_id: string }>(
    ds,
    `SELECT id, dag_id FROM backfill WHERE completed_at IS NULL AND is_paused = ? ORDER BY id LIMIT ?`,
    [false, limit],
  );
  let queued = 0;
  for (const row of records) {
    try {
      const result = await advanceBackfill(ds, Number(row.id), now);
      queued += result.queued;
      if (result.completed) log.info(`backfill ${row.id} completed`, { dagId: row.dag_id });
    } catch (err) {
      log.error(`could not advance backfill ${row.id}`, { dagId: row.dag_id, err });
    }
  }
  return queued;
}
