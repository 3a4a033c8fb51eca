import { datasetUriProblem } from '../core/dataset';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { recordDatasetEvent } from '../db/transitions/dataset-transitions';
import { recordAuditEvent } from './audit-log';
import type { ServiceContext } from './service-context';

export interface DatasetSummary {
  id: number;
  uri: string;
  createdAt: string;
  updatedAt: string;
  /** DAGs scheduled on it. */
  consumingDags: string[];
  /** Tasks that update it, as 'dag_id.task_id'. */
  producingTasks: string[];
  lastEventAt: string | null;
}

/** Every dataset any DAG names, with who consumes and produces it, by URI. */
export async function listDatasets(ctx: ServiceContext): Promise<DatasetSummary[]> {
  const ds = ctx.dataSource;
  const { records } = await execSql<{ id: number; uri: string; created_at: string; updated_at: string }>(
    ds,
    'SELECT id, uri, created_at, updated_at FROM dataset ORDER BY uri',
  );
  const consumers = await execSql<{ dataset_id: number; dag_id: string }>(
    ds,
    'SELECT dataset_id, dag_id FROM dag_schedule_dataset_reference ORDER BY dag_id',
  );
  const producers = await execSql<{ dataset_id: number; dag_id: string; task_id: string }>(
    ds,
    'SELECT dataset_id, dag_id, task_id FROM task_outlet_dataset_reference ORDER BY dag_id, task_id',
  );
  const last = await execSql<{ dataset_id: number; at: string }>(
    ds,
    'SELECT dataset_id, MAX(timestamp) AS at FROM dataset_event GROUP BY dataset_id',
  );
  const lastAt = new Map(last.records.map((r) => [Number(r.dataset_id), r.at]));
  return records.map((r) => {
    const id = Number(r.id);
    return {
      id,
      uri: r.uri,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      consumingDags: consumers.records.filter((c) => Number(c.dataset_id) === id).map((c) => c.dag_id),
      producingTasks: producers.records
        .filter((p) => Number(p.dataset_id) === id)
        .map((p) => `${p.dag_id}.${p.task_id}`),
      lastEventAt: lastAt.get(id) ?? null,
    };
  });
}

export interface EmittedDatasetEvent {
  id: number;
  datasetId: number;
  uri: string;
  extra: Record<string, unknown> | null;
  timestamp: string;
}

/**
 * An update of a dataset from outside (API, CLI), as a producing task's success records it: the
 * DAGs scheduled on it get it queued. Only datasets some DAG names exist (unknown: NotFoundError),
 * so a typo cannot create one nobody consumes.
 */
export async function emitDatasetEvent(
  ctx: ServiceContext,
  input: { uri: string; extra?: Record<string, unknown> | null; actor?: string | null },
): Promise<EmittedDatasetEvent> {
  const problem = datasetUriProblem(input.uri);
  if (problem) throw new InvalidArgumentError(`invalid dataset URI ${JSON.stringify(input.uri)}: ${problem}`);
  const extra = input.extra ?? null;
  if (extra !== null && (typeof extra !== 'object' || Array.isArray(extra)))
    throw new InvalidArgumentError('extra must be a JSON object');
  const now = ctx.clock.now();
  return runInTransaction(ctx.dataSource, async (m) => {
    const found = await execSql<{ id: number }>(m, 'SELECT id FROM dataset WHERE uri = ?', [input.uri]);
    if (!found.records.length) throw new NotFoundError(`dataset '${input.uri}' not found (no DAG names it)`);
    const event = await recordDatasetEvent(m, { uri: input.uri, extra, source: null }, now);
    await recordAuditEvent(m, ctx.clock, {
      event: 'dataset.emit',
      actor: input.actor ?? null,
      extra: { uri: input.uri, event_id: event.id },
    });
    return { id: event.id, datasetId: event.datasetId, uri: input.uri, extra, timestamp: now.toISOString() };
  });
}
