import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SerializedDag, SerializedTask } from '../../../src/core/serialized-dag';
import type { DagRunState, TaskStateOrNone } from '../../../src/core/states';
import { DagEntity, DagRunEntity, SerializedDagEntity, TaskInstanceEntity } from '../../../src/db/entities';
import { makeTask } from '../../scheduler-logic/make-task';

/** A serialized DAG whose tasks follow `edges` ('a>b' means a is upstream of b). */
export function makeSerializedDag(dagId: string, taskIds: string[], edges: string[] = [], retries = 0): SerializedDag {
  const pairs = edges.map((edge) => edge.split('>') as [string, string]);
  const tasks: SerializedTask[] = taskIds.map((taskId) =>
    makeTask(taskId, {
      upstream: pairs
        .filter(([, b]) => b === taskId)
        .map(([a]) => a)
        .sort(),
      downstream: pairs
        .filter(([a]) => a === taskId)
        .map(([, b]) => b)
        .sort(),
      retries,
      retryDelayMs: 1000,
    }),
  );
  return {
    formatVersion: 1,
    dagId,
    description: null,
    fileloc: `/dags/${dagId}.ts`,
    schedule: { kind: 'cron', expression: '0 0 * * *', timezone: 'UTC' },
    scheduleText: '@daily',
    startDate: '2026-01-01T00:00:00.000Z',
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
  };
}

/** Store a DAG as the parser would: its `dag` row and its serialized form. */
export async function seedDag(
  ds: DataSource,
  dag: SerializedDag,
  options: { paused?: boolean; active?: boolean } = {},
): Promise<void> {
  await ds.getRepository(DagEntity).insert({
    dagId: dag.dagId,
    isPaused: options.paused ?? false,
    isActive: options.active ?? true,
    fileloc: dag.fileloc,
    schedule: dag.scheduleText,
    description: dag.description,
    tags: dag.tags,
    owners: dag.owner,
    lastParsedTime: new Date('2026-01-01T00:00:00Z'),
  });
  const data = JSON.stringify(dag);
  await ds.getRepository(SerializedDagEntity).insert({
    dagId: dag.dagId,
    fileloc: dag.fileloc,
    data,
    dagHash: crypto.createHash('sha256').update(data).digest('hex').slice(0, 32),
    lastUpdated: new Date(),
  });
}

export async function seedRun(
  ds: DataSource,
  dagId: string,
  runId: string,
  logicalDate: string,
  state: DagRunState = 'running',
): Promise<void> {
  await ds.getRepository(DagRunEntity).insert({
    dagId,
    runId,
    logicalDate: new Date(logicalDate),
    state,
    runType: 'manual',
    externalTrigger: true,
    conf: {},
    startDate: new Date(logicalDate),
    endDate: state === 'success' || state === 'failed' ? new Date(logicalDate) : null,
  });
}

export async function seedTi(
  ds: DataSource,
  dagId: string,
  runId: string,
  taskId: string,
  state: TaskStateOrNone,
  tryNumber = 1,
  maxTries = 0,
): Promise<void> {
  await ds.getRepository(TaskInstanceEntity).insert({ dagId, runId, taskId, mapIndex: -1, state, tryNumber, maxTries });
}

export async function tiStates(ds: DataSource, dagId: string, runId: string): Promise<Record<string, string | null>> {
  const rows = await ds.getRepository(TaskInstanceEntity).find({ where: { dagId, runId } });
  return Object.fromEntries(rows.map((row) => [row.taskId, row.state]));
}
