import type { EntityManager } from 'typeorm';
import type { SerializedDag } from '../core/serialized-dag';
import { execSql, placeholders } from './sql';

/** The datasets one DAG names: those its schedule waits for and those its tasks update. */
export interface DagDatasetRefs {
  dagId: string;
  scheduleUris: readonly string[];
  outlets: ReadonlyArray<{ taskId: string; uri: string }>;
}

export function datasetRefsOf(dag: SerializedDag): DagDatasetRefs {
  return {
    dagId: dag.dagId,
    scheduleUris: dag.schedule.kind === 'dataset' ? dag.schedule.uris : [],
    outlets: dag.tasks.flatMap((t) => (t.outlets ?? []).map((uri) => ({ taskId: t.taskId, uri }))),
  };
}

/** Ids of the given URIs' dataset rows, creating the missing ones (insert-or-ignore). */
export async function ensureDatasets(
  m: EntityManager,
  uris: readonly string[],
  now: Date,
): Promise<Map<string, number>> {
  const unique = [...new Set(uris)];
  const ids = new Map<string, number>();
  if (!unique.length) return ids;
  const at = now.toISOString();
  await execSql(
    m,
    `INSERT INTO dataset (uri, created_at, updated_at, is_orphaned) VALUES ${placeholders(unique.length, 4)}
     ON CONFLICT DO NOTHING`,
    unique.flatMap((uri) => [uri, at, at, false]),
  );
  const { records } = await execSql<{ id: number; uri: string }>(
    m,
    `SELECT id, uri FROM dataset WHERE uri IN (${unique.map(() => '?').join(', ')})`,
    unique,
  );
  for (const r of records) ids.set(r.uri, Number(r.id));
  return ids;
}

/**
 * Rewrite a DAG's dataset references after its file was parsed (in the file's sync transaction):
 * which datasets schedule it, which of its tasks update which dataset. A consumer's queue rows for
 * datasets it no longer waits for are dropped, as Airflow does.
 */
export async function syncDagDatasetReferences(m: EntityManager, refs: DagDatasetRefs, now: Date): Promise<void> {
  const ids = await ensureDatasets(m, [...refs.scheduleUris, ...refs.outlets.map((o) => o.uri)], now);
  const at = now.toISOString();
  const scheduleIds = refs.scheduleUris.map((uri) => ids.get(uri)!);
  await execSql(m, `DELETE FROM dag_schedule_dataset_reference WHERE dag_id = ?`, [refs.dagId]);
  if (scheduleIds.length)
    await execSql(
      m,
      `INSERT INTO dag_schedule_dataset_reference (dataset_id, dag_id, created_at)
       VALUES ${placeholders(scheduleIds.length, 3)}`,
      scheduleIds.flatMap((id) => [id, refs.dagId, at]),
    );
  const keep = scheduleIds.length ? ` AND dataset_id NOT IN (${scheduleIds.map(() => '?').join(', ')})` : '';
  await execSql(m, `DELETE FROM dataset_dag_run_queue WHERE target_dag_id = ?${keep}`, [refs.dagId, ...scheduleIds]);
  await execSql(m, `DELETE FROM task_outlet_dataset_reference WHERE dag_id = ?`, [refs.dagId]);
  if (refs.outlets.length)
    await execSql(
      m,
      `INSERT INTO task_outlet_dataset_reference (dataset_id, dag_id, task_id, created_at)
       VALUES ${placeholders(refs.outlets.length, 4)} ON CONFLICT DO NOTHING`,
      refs.outlets.flatMap((o) => [ids.get(o.uri)!, refs.dagId, o.taskId, at]),
    );
}
