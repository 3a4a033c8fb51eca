import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { runInTransaction } from '../../src/db/transaction';
import { datasetRefsOf, syncDagDatasetReferences } from '../../src/db/dataset-references';
import { recordDatasetEvent } from '../../src/db/transitions/dataset-transitions';
import { createDatasetTriggeredRuns } from '../../src/scheduler/create-dataset-triggered-runs';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import type { SerializedDag } from '../../src/core/serialized-dag';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';

const ORDERS = 's3://bucket/orders';
const CUSTOMERS = 's3://bucket/customers';

async function seedWithRefs(ds: DataSource, dag: SerializedDag, options: { paused?: boolean } = {}): Promise<void> {
  await seedDag(ds, dag, options);
  await runInTransaction(ds, (m) => syncDagDatasetReferences(m, datasetRefsOf(dag), new Date()));
}

async function update(ds: DataSource, uri: string, at: string): Promise<void> {
  const source = { dagId: 'producer', runId: 'manual__1', taskId: 'write', mapIndex: -1 };
  await runInTransaction(ds, (m) => recordDatasetEvent(m, { uri, extra: { rows: 1 }, source }, new Date(at)));
}

async function datasetRuns(ds: DataSource) {
  const { records } = await execSql<{ run_id: string; run_type: string; state: string; logical_date: string }>(
    ds,
    `SELECT run_id, run_type, state, logical_date FROM dag_run WHERE dag_id = 'consumer' ORDER BY logical_date`,
  );
  return records;
}

async function triggeringEvents(ds: DataSource, runId: string): Promise<string[]> {
  const { records } = await execSql<{ uri: string; timestamp: string }>(
    ds,
    `SELECT d.uri, e.timestamp FROM dagrun_dataset_event l JOIN dataset_event e ON e.id = l.event_id
     JOIN dataset d ON d.id = e.dataset_id WHERE l.dag_id = 'consumer' AND l.run_id = ? ORDER BY e.timestamp`,
    [runId],
  );
  return records.map((r) => `${r.uri}@${r.timestamp}`);
}

const consumer = makeDag('consumer', [makeTask('read')], { schedule: { kind: 'dataset', uris: [CUSTOMERS, ORDERS] } });

describe.each(DATABASE_KINDS)('dataset-triggered runs on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);

  it('runs once both datasets were updated, with the triggering events, never twice for the same updates', async () => {
    const ds = db.dataSource;
    await seedWithRefs(ds, consumer);
    const views = new DagViewCache(ds);

    await update(ds, ORDERS, '2026-03-01T10:00:00.000Z');
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T10:00:01Z'), 50)).toBe(0);
    expect(await datasetRuns(ds)).toEqual([]);

    await update(ds, ORDERS, '2026-03-01T10:05:00.000Z');
    await update(ds, CUSTOMERS, '2026-03-01T10:10:00.000Z');
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T10:10:01Z'), 50)).toBe(1);
    expect(await datasetRuns(ds)).toEqual([
      {
        run_id: 'dataset_triggered__2026-03-01T10:10:00.000Z',
        run_type: 'dataset_triggered',
        state: 'queued',
        logical_date: '2026-03-01T10:10:00.000Z',
      },
    ]);
    expect(await triggeringEvents(ds, 'dataset_triggered__2026-03-01T10:10:00.000Z')).toEqual([
      `${ORDERS}@2026-03-01T10:00:00.000Z`,
      `${ORDERS}@2026-03-01T10:05:00.000Z`,
      `${CUSTOMERS}@2026-03-01T10:10:00.000Z`,
    ]);

    // The same updates never trigger again.
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T10:20:00Z'), 50)).toBe(0);
    // One new update is not enough; both are.
    await update(ds, CUSTOMERS, '2026-03-01T11:00:00.000Z');
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T11:00:01Z'), 50)).toBe(0);
    await update(ds, ORDERS, '2026-03-01T11:30:00.000Z');
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T11:30:01Z'), 50)).toBe(1);
    expect((await datasetRuns(ds)).map((r) => r.run_id)).toEqual([
      'dataset_triggered__2026-03-01T10:10:00.000Z',
      'dataset_triggered__2026-03-01T11:30:00.000Z',
    ]);
    expect(await triggeringEvents(ds, 'dataset_triggered__2026-03-01T11:30:00.000Z')).toEqual([
      `${CUSTOMERS}@2026-03-01T11:00:00.000Z`,
      `${ORDERS}@2026-03-01T11:30:00.000Z`,
    ]);
  });

  it('queues the updates of a paused consumer and runs it once unpaused', async () => {
    const ds = db.dataSource;
    await seedWithRefs(ds, consumer, { paused: true });
    const views = new DagViewCache(ds);
    await update(ds, ORDERS, '2026-03-01T10:00:00.000Z');
    await update(ds, CUSTOMERS, '2026-03-01T10:01:00.000Z');
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T10:02:00Z'), 50)).toBe(0);
    const { records } = await execSql<{ n: number | string }>(
      ds,
      `SELECT COUNT(*) AS n FROM dataset_dag_run_queue WHERE target_dag_id = 'consumer'`,
    );
    expect(Number(records[0].n)).toBe(2);
    await execSql(ds, `UPDATE dag SET is_paused = ? WHERE dag_id = 'consumer'`, [false]);
    expect(await createDatasetTriggeredRuns(ds, views, new Date('2026-03-01T10:03:00Z'), 50)).toBe(1);
    expect(await datasetRuns(ds)).toHaveLength(1);
  });

  it('two schedulers consuming the same queue at once create the run exactly once', async () => {
    const ds = db.dataSource;
    await seedWithRefs(ds, consumer);
    for (let round = 0; round < 5; round += 1) {
      await update(ds, ORDERS, `2026-03-0${round + 1}T10:00:00.000Z`);
      await update(ds, CUSTOMERS, `2026-03-0${round + 1}T10:01:00.000Z`);
      // Two schedulers, each with its own DAG view cache; on PostgreSQL each transaction has its own connection.
      const now = new Date(`2026-03-0${round + 1}T10:02:00Z`);
      const created = await Promise.all([
        createDatasetTriggeredRuns(ds, new DagViewCache(ds), now, 50),
        createDatasetTriggeredRuns(ds, new DagViewCache(ds), now, 50),
      ]);
      expect(created[0] + created[1]).toBe(1);
    }
    expect(await datasetRuns(ds)).toHaveLength(5);
    const { records } = await execSql<{ n: number | string }>(ds, `SELECT COUNT(*) AS n FROM dagrun_dataset_event`);
    expect(Number(records[0].n)).toBe(10);
  });

  it('an update of a dataset no DAG consumes is recorded and queues nothing', async () => {
    const ds = db.dataSource;
    await seedWithRefs(ds, makeDag('producer', [makeTask('write', [], { outlets: ['s3://bucket/lonely'] })]));
    await update(ds, 's3://bucket/lonely', '2026-03-01T10:00:00.000Z');
    const events = await execSql<{ source_task_id: string; extra: string }>(
      ds,
      'SELECT source_task_id, extra FROM dataset_event',
    );
    expect(events.records).toEqual([{ source_task_id: 'write', extra: '{"rows":1}' }]);
    const queue = await execSql(ds, 'SELECT * FROM dataset_dag_run_queue');
    expect(queue.records).toEqual([]);
    const refs = await execSql<{ task_id: string }>(ds, 'SELECT task_id FROM task_outlet_dataset_reference');
    expect(refs.records).toEqual([{ task_id: 'write' }]);
  });
});
