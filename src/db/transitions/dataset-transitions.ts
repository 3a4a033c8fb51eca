import type { EntityManager } from 'typeorm';
import { DagRunType } from '../../core/states';
import { ensureDatasets } from '../dataset-references';
import { execSql, placeholders } from '../sql';
import { createDagRun } from './dag-run-transitions';

/** Who updated a dataset: a task instance's success, or nobody (an event from the API or CLI). */
export interface DatasetEventSource {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

/**
 * Record one update of a dataset and queue it for every active DAG scheduled on it — paused ones
 * too, as Airflow does, so unpausing runs them. The queue row of a DAG already waiting on this
 * dataset stays as it is (its first update since the last run). Returns the event's id.
 */
export async function recordDatasetEvent(
  m: EntityManager,
  event: { uri: string; extra: Record<string, unknown> | null; source: DatasetEventSource | null },
  now: Date,
): Promise<{ id: number; datasetId: number }> {
  const datasetId = (await ensureDatasets(m, [event.uri], now)).get(event.uri)!;
  const at = now.toISOString();
  await execSql(
    m,
    `INSERT INTO dataset_event
       (dataset_id, extra, source_dag_id, source_run_id, source_task_id, source_map_index, timestamp)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      datasetId,
      event.extra ? JSON.stringify(event.extra) : null,
      event.source?.dagId ?? null,
      event.source?.runId ?? null,
      event.source?.taskId ?? null,
      event.source?.mapIndex ?? -1,
      at,
    ],
  );
  const { records } = await execSql<{ id: number }>(
    m,
    `SELECT MAX(id) AS id FROM dataset_event WHERE dataset_id = ? AND timestamp = ?`,
    [datasetId, at],
  );
  // WHERE is required: without it SQLite reads ON CONFLICT as a join's ON.
  await execSql(
    m,
    `INSERT INTO dataset_dag_run_queue (dataset_id, target_dag_id, created_at)
     SELECT r.dataset_id, r.dag_id, ? FROM dag_schedule_dataset_reference r JOIN dag d ON d.dag_id = r.dag_id
     WHERE r.dataset_id = ? AND d.is_active = ?
     ON CONFLICT DO NOTHING`,
    [at, datasetId, true],
  );
  return { id: Number(records[0].id), datasetId };
}

export function datasetTriggeredRunId(logicalDate: Date): string {
  return `dataset_triggered__${logicalDate.toISOString()}`;
}

/**
 * Create a consumer DAG's dataset-triggered run and consume its queue, in the caller's
 * transaction: the guard is the DELETE of the queue rows, which must remove one row for each
 * dataset the DAG waits for. A second scheduler doing the same waits on those rows and then finds
 * them gone, so it creates nothing; a row re-queued meanwhile for only some datasets is not
 * enough either. The run's events are those of its datasets since its previous dataset-triggered
 * run (Airflow's `consumed_dataset_events`); its logical date is the newest of them.
 * Returns the run id, or null (and the caller must roll back) when the guard did not hold.
 */
export async function createDatasetTriggeredRun(
  m: EntityManager,
  consumer: { dagId: string; datasetIds: number[]; dagHash: string | null },
  now: Date,
): Promise<string | null> {
  const { dagId, datasetIds } = consumer;
  const ids = datasetIds.map(() => '?').join(', ');
  const deleted = await execSql(
    m,
    `DELETE FROM dataset_dag_run_queue WHERE target_dag_id = ? AND dataset_id IN (${ids})`,
    [dagId, ...datasetIds],
  );
  if (deleted.affected !== datasetIds.length) return null;
  const previous = await execSql<{ at: string | null }>(
    m,
    `SELECT MAX(logical_date) AS at FROM dag_run WHERE dag_id = ? AND run_type = ?`,
    [dagId, DagRunType.DATASET_TRIGGERED],
  );
  const since = previous.records[0]?.at ?? null;
  const events = await execSql<{ id: number; timestamp: string }>(
    m,
    `SELECT id, timestamp FROM dataset_event WHERE dataset_id IN (${ids})${since ? ' AND timestamp > ?' : ''}
     ORDER BY timestamp, id`,
    since ? [...datasetIds, since] : datasetIds,
  );
  const stamps = events.records.map((e) => e.timestamp);
  const first = stamps.length ? new Date(stamps[0]) : now;
  const logicalDate = stamps.length ? new Date(stamps[stamps.length - 1]) : now;
  const runId = datasetTriggeredRunId(logicalDate);
  const created = await createDagRun(
    m,
    {
      dagId,
      runId,
      logicalDate,
      dataIntervalStart: first,
      dataIntervalEnd: logicalDate,
      runType: DagRunType.DATASET_TRIGGERED,
      externalTrigger: false,
      conf: null,
      dagHash: consumer.dagHash,
    },
    now,
  );
  if (!created) return null;
  if (events.records.length)
    await execSql(
      m,
      `INSERT INTO dagrun_dataset_event (dag_id, run_id, event_id) VALUES ${placeholders(events.records.length, 3)}
       ON CONFLICT DO NOTHING`,
      events.records.flatMap((e) => [dagId, runId, Number(e.id)]),
    );
  return runId;
}
