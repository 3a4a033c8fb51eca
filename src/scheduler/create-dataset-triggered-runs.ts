import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import type { ExistsCondition } from '../db/which-exist';
import { runInTransaction } from '../db/transaction';
import { createDatasetTriggeredRun } from '../db/transitions/dataset-transitions';
import { getLogger } from '../logging/logger';
import { countActiveRuns } from './create-due-runs';
import type { DagViewCache } from './dag-view-cache';

const log = getLogger('scheduler');

/**
 * Whether createDatasetTriggeredRuns has anything to look at: queue rows of an active, unpaused DAG
 * (the queue is usually empty, and the loop asks every second).
 */
export const datasetQueueWaiting: ExistsCondition = {
  sql: `SELECT 1 FROM dataset_dag_run_queue q JOIN dag d ON d.dag_id = q.target_dag_id
        WHERE d.is_active = ? AND d.is_paused = ?`,
  params: [true, false],
};

/** The guard of createDatasetTriggeredRun did not hold: undo its DELETE. */
class QueueTakenMeanwhile extends Error {}

/**
 * Create a dataset-triggered run for each active, unpaused DAG scheduled on datasets whose every
 * dataset was updated since its last such run (Airflow's dataset_dag_run_queue holds a row for
 * each). Paused DAGs keep their queue, so unpausing runs them. As with time-scheduled runs, a DAG
 * at max_active_runs waits. Each run is created in one guarded transaction with the consumption of
 * its queue rows, so two schedulers never create it twice.
 */
export async function createDatasetTriggeredRuns(
  ds: DataSource,
  views: DagViewCache,
  now: Date,
  maxDags: number,
): Promise<number> {
  const { records } = await execSql<{ dag_id: string; queued: number | string; wanted: number | string }>(
    ds,
    // Driven by the queue (usually empty), not by every DAG: this runs every second.
    `SELECT d.dag_id, q.queued,
       (SELECT COUNT(*) FROM dag_schedule_dataset_reference r WHERE r.dag_id = d.dag_id) AS wanted
     FROM (SELECT target_dag_id, COUNT(*) AS queued FROM dataset_dag_run_queue GROUP BY target_dag_id) q
       JOIN dag d ON d.dag_id = q.target_dag_id
     WHERE d.is_active = ? AND d.is_paused = ?
     ORDER BY d.dag_id LIMIT ?`,
    [true, false, maxDags],
  );
  let created = 0;
  for (const row of records) {
    const dagId = row.dag_id;
    if (Number(row.queued) < Number(row.wanted) || Number(row.wanted) === 0) continue;
    try {
      const view = await views.get(dagId);
      if (!view || view.dag.schedule.kind !== 'dataset') continue;
      if ((await countActiveRuns(ds, dagId)) >= view.dag.maxActiveRuns) continue;
      const refs = await execSql<{ dataset_id: number }>(
        ds,
        `SELECT dataset_id FROM dag_schedule_dataset_reference WHERE dag_id = ? ORDER BY dataset_id`,
        [dagId],
      );
      const datasetIds = refs.records.map((r) => Number(r.dataset_id));
      const runId = await runInTransaction(ds, async (m) => {
        const id = await createDatasetTriggeredRun(m, { dagId, datasetIds, dagHash: view.hash }, now);
        if (id === null) throw new QueueTakenMeanwhile();
        return id;
      }).catch((err: unknown) => {
        if (err instanceof QueueTakenMeanwhile) return null;
        throw err;
      });
      if (runId) {
        created += 1;
        log.info(`created run ${runId}`, { dagId });
      }
    } catch (err) {
      log.error('could not create a dataset-triggered run', { dagId, err });
    }
  }
  return created;
}
