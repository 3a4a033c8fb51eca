import type { DataSource, EntityManager } from 'typeorm';
import type { TriggeringDatasetEvent } from '../../core/dataset';
import { execSql } from '../sql';

interface EventRow {
  uri: string;
  extra: string | null;
  source_dag_id: string | null;
  source_run_id: string | null;
  source_task_id: string | null;
  source_map_index: number | string;
  timestamp: string;
}

function parseExtra(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The dataset events that triggered a run (none for a run not triggered by datasets), oldest first. */
export async function readTriggeringDatasetEvents(
  db: DataSource | EntityManager,
  dagId: string,
  runId: string,
): Promise<TriggeringDatasetEvent[]> {
  const { records } = await execSql<EventRow>(
    db,
    `SELECT d.uri, e.extra, e.source_dag_id, e.source_run_id, e.source_task_id, e.source_map_index, e.timestamp
     FROM dagrun_dataset_event l
       JOIN dataset_event e ON e.id = l.event_id
       JOIN dataset d ON d.id = e.dataset_id
     WHERE l.dag_id = ? AND l.run_id = ?
     ORDER BY e.timestamp, e.id`,
    [dagId, runId],
  );
  return records.map((r) => ({
    datasetUri: r.uri,
    extra: parseExtra(r.extra),
    sourceDagId: r.source_dag_id,
    sourceRunId: r.source_run_id,
    sourceTaskId: r.source_task_id,
    sourceMapIndex: Number(r.source_map_index),
    timestamp: r.timestamp,
  }));
}

/** For the workload: read only for dataset-triggered runs (the others have none). */
export async function triggeringEventsOfRun(
  db: DataSource | EntityManager,
  run: { dagId: string; runId: string; runType: string },
): Promise<TriggeringDatasetEvent[]> {
  return run.runType === 'dataset_triggered' ? readTriggeringDatasetEvents(db, run.dagId, run.runId) : [];
}
