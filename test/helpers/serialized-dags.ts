import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ScheduleSpec, SerializedDag, SerializedTask } from '../../src/core/serialized-dag';
import { makeTask as baseTask } from '../scheduler-logic/make-task';
import { execSql } from '../../src/db/sql';

/** A serialized task for scheduler tests: a function task with a short retry delay. */
export function makeTask(taskId: string, upstream: string[] = [], extra: Partial<SerializedTask> = {}): SerializedTask {
  return baseTask(taskId, { operator: 'FunctionOperator', retryDelayMs: 1000, upstream, ...extra });
}

export function makeDag(dagId: string, tasks: SerializedTask[], extra: Partial<SerializedDag> = {}): SerializedDag {
  for (const t of tasks)
    t.downstream = tasks
      .filter((d) => d.upstream.includes(t.taskId))
      .map((d) => d.taskId)
      .sort();
  const schedule: ScheduleSpec = extra.schedule ?? { kind: 'none' };
  return {
    formatVersion: 1,
    dagId,
    description: null,
    fileloc: `/nonexistent/${dagId}.ts`,
    schedule,
    scheduleText: null,
    startDate: null,
    endDate: null,
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    dagrunTimeoutMs: null,
    tags: [],
    owner: 'test',
    params: {},
    docMd: null,
    tasks,
    ...extra,
  };
}

/** Store a serialized DAG and its `dag` row the way the DAG processor would. */
export async function seedDag(ds: DataSource, dag: SerializedDag, options: { paused?: boolean } = {}): Promise<void> {
  const data = JSON.stringify(dag);
  const hash = crypto.createHash('sha256').update(data).digest('hex');
  const now = new Date().toISOString();
  await execSql(ds, 'DELETE FROM serialized_dag WHERE dag_id = ?', [dag.dagId]);
  await execSql(ds, 'DELETE FROM dag WHERE dag_id = ?', [dag.dagId]);
  await execSql(
    ds,
    'INSERT INTO serialized_dag (dag_id, fileloc, data, dag_hash, last_updated) VALUES (?, ?, ?, ?, ?)',
    [dag.dagId, dag.fileloc, data, hash, now],
  );
  await execSql(
    ds,
    `INSERT INTO dag (dag_id, is_paused, is_active, fileloc, max_active_runs, max_active_tasks)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [dag.dagId, options.paused ?? false, true, dag.fileloc, dag.maxActiveRuns, dag.maxActiveTasks],
  );
}
