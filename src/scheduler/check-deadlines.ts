import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import type { ExistsCondition } from '../db/which-exist';
import { runInTransaction } from '../db/transaction';
import { markDeadlineMissed, requestCallback } from '../db/transitions/callback-transitions';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

/** Deadlines passed at `?` (now) and not yet recorded as missed, of runs unfinished or finished late. */
const PASSED_DEADLINES = `FROM deadline d JOIN dag_run r ON r.dag_id = d.dag_id AND r.run_id = d.run_id
     WHERE d.missed_at IS NULL AND d.deadline_time <= ?
       AND (r.state IN ('queued', 'running') OR r.end_date > d.deadline_time)`;

/** Whether checkDeadlines has anything to record at `now`. */
export function deadlinesPassed(now: Date): ExistsCondition {
  return { sql: `SELECT 1 ${PASSED_DEADLINES}`, params: [now.toISOString()] };
}

/**
 * Record the deadlines that passed while their run was still unfinished (or that it finished
 * after): each miss is marked once (guarded update, whichever scheduler gets there first) and, in
 * the same transaction, its callback is requested. Returns how many misses this call recorded.
 */
export async function checkDeadlines(ds: DataSource, now: Date, limit: number): Promise<number> {
  const { records } = await execSql<{
    id: number;
    dag_id: string;
    run_id: string;
    deadline_time: string;
    has_callback: unknown;
    state: string;
  }>(
    ds,
    `SELECT d.id, d.dag_id, d.run_id, d.deadline_time, d.has_callback, r.state ${PASSED_DEADLINES}
     ORDER BY d.deadline_time LIMIT ?`,
    [now.toISOString(), limit],
  );
  let missed = 0;
  for (const row of records) {
    const recorded = await runInTransaction(ds, async (m) => {
      if (!(await markDeadlineMissed(m, Number(row.id), now))) return false;
      if (row.has_callback === true || row.has_callback === 1)
        await requestCallback(
          m,
          {
            dagId: row.dag_id,
            runId: row.run_id,
            kind: 'deadline_missed',
            context: { reason: 'deadline_missed', state: row.state, deadline: row.deadline_time },
          },
          now,
        );
      return true;
    });
    if (recorded) {
      missed += 1;
      log.warn(`run ${row.run_id} missed its deadline ${row.deadline_time}`, { dagId: row.dag_id });
    }
  }
  return missed;
}
