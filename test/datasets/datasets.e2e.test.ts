import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { openDatabase } from '../../src/db/data-source';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { dagctl, startDagctl, stopProcess } from '../helpers/cli';

const ORDERS = 's3://bucket/orders';
const CUSTOMERS = 's3://bucket/customers';

const producer = (dagId: string, uri: string) => `
import { DAG, BashOperator, dataset, task } from 'dagctl';
const dag = new DAG('${dagId}', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const out = dataset('${uri}');
const write = task({ taskId: 'write', dag, outlets: [out] }, () => 'written');
const copy = new BashOperator({ taskId: 'copy', bashCommand: 'true', dag });
write().task.then(copy);
export default dag;
`;

// Returns what the task saw: its run type and the triggering events, as its XCom.
const CONSUMER = `
import { DAG, FunctionOperator, dataset } from 'dagctl';
const dag = new DAG('consumer', {
  schedule: [dataset('${ORDERS}'), dataset('${CUSTOMERS}')],
  startDate: '2026-01-01T00:00:00Z',
});
new FunctionOperator({ taskId: 'read', dag,
  fn: (ctx) => ({
    runType: ctx.dagRun.runType,
    events: ctx.triggeringDatasetEvents.map((e) => [e.datasetUri, e.sourceDagId, e.extra]),
  }) });
export default dag;
`;

async function consumerRuns(ds: DataSource) {
  const { records } = await execSql<{ run_id: string; run_type: string; state: string }>(
    ds,
    `SELECT run_id, run_type, state FROM dag_run WHERE dag_id = 'consumer' ORDER BY logical_date`,
  );
  return records;
}

async function readXCom(ds: DataSource, runId: string): Promise<unknown> {
  const { records } = await execSql<{ value: string }>(
    ds,
    `SELECT value FROM xcom WHERE dag_id = 'consumer' AND run_id = ? AND task_id = 'read' AND key = 'return_value'`,
    [runId],
  );
  return records.length ? JSON.parse(records[0].value) : undefined;
}

/**
 * Producers, a consumer scheduled on two datasets and an external update from the CLI, with two
 * schedulers on one PostgreSQL database: each complete set of updates triggers exactly one run.
 */
describe('datasets end to end, two schedulers on PostgreSQL', () => {
  jest.setTimeout(300_000);
  let db: TestDatabase;
  let home: TestHome;
  let ds: DataSource;
  const schedulers: Array<ReturnType<typeof startDagctl>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    home = createTestHome({ databaseUrl: db.url });
    home.writeDag('producer_orders.ts', producer('producer_orders', ORDERS));
    home.writeDag('producer_customers.ts', producer('producer_customers', CUSTOMERS));
    home.writeDag('consumer.ts', CONSUMER);
    expect(dagctl(['initdb'], home.env).status).toBe(0);
    ds = await openDatabase(db.url);
    schedulers.push(startDagctl(['scheduler'], home.env), startDagctl(['scheduler'], home.env));
    await eventually(
      async () => {
        const { records } = await execSql(ds, 'SELECT dag_id FROM task_outlet_dataset_reference');
        const consumers = await execSql(ds, 'SELECT dag_id FROM dag_schedule_dataset_reference');
        return records.length === 2 && consumers.records.length === 2;
      },
      { what: 'the DAGs and their dataset references to be parsed', timeoutMs: 90_000, intervalMs: 300 },
    );
  });

  afterAll(async () => {
    for (const s of schedulers) await stopProcess(s.child);
    await ds?.destroy();
    await db?.drop();
    home?.remove();
  });

  it('runs the consumer once both producers updated its datasets, and once per external pair of updates', async () => {
    expect(dagctl(['trigger', 'producer_orders', '-r', 'p1'], home.env).status).toBe(0);
    await eventually(
      async () =>
        (await execSql(ds, `SELECT 1 FROM dataset_dag_run_queue WHERE target_dag_id = 'consumer'`)).records.length ===
        1,
      { what: 'the orders update to be queued for the consumer', timeoutMs: 90_000, intervalMs: 300 },
    );
    // One of two datasets updated: no run (the producer's run finished; the queue holds one row).
    await eventually(
      async () =>
        (await execSql<{ state: string }>(ds, `SELECT state FROM dag_run WHERE run_id = 'p1'`)).records[0]?.state ===
        'success',
      { what: 'producer_orders to finish', timeoutMs: 90_000 },
    );
    expect(await consumerRuns(ds)).toEqual([]);

    expect(dagctl(['trigger', 'producer_customers', '-r', 'p2'], home.env).status).toBe(0);
    const first = await eventually(
      async () => {
        const runs = await consumerRuns(ds);
        return runs.length === 1 && runs[0].state === 'success' ? runs[0] : false;
      },
      { what: 'one dataset-triggered consumer run to succeed', timeoutMs: 120_000, intervalMs: 300 },
    );
    expect(first.run_type).toBe('dataset_triggered');
    expect(first.run_id).toMatch(/^dataset_triggered__\d{4}-\d\d-\d\dT/);
    expect(await readXCom(ds, first.run_id)).toEqual({
      runType: 'dataset_triggered',
      events: [
        [ORDERS, 'producer_orders', null],
        [CUSTOMERS, 'producer_customers', null],
      ],
    });

    // External updates from the CLI: one is not enough, the second completes the set.
    const emitted = dagctl(['datasets', 'emit', ORDERS, '--extra', '{"by":"cli"}', '-o', 'json'], home.env);
    expect(emitted.status).toBe(0);
    expect(JSON.parse(emitted.stdout)).toMatchObject({ dataset_uri: ORDERS, extra: { by: 'cli' } });
    expect(dagctl(['datasets', 'emit', 's3://bucket/unknown'], home.env)).toMatchObject({ status: 1 });
    expect(dagctl(['datasets', 'emit', ORDERS, '--extra', '[1]'], home.env)).toMatchObject({ status: 2 });
    expect(await consumerRuns(ds)).toHaveLength(1);
    expect(dagctl(['datasets', 'emit', CUSTOMERS], home.env).status).toBe(0);
    const second = await eventually(
      async () => {
        const runs = await consumerRuns(ds);
        return runs.length === 2 && runs[1].state === 'success' ? runs[1] : false;
      },
      { what: 'the second consumer run to succeed', timeoutMs: 120_000, intervalMs: 300 },
    );
    expect(await readXCom(ds, second.run_id)).toEqual({
      runType: 'dataset_triggered',
      events: [
        [ORDERS, null, { by: 'cli' }],
        [CUSTOMERS, null, null],
      ],
    });

    // A later single update is queued, and the same updates never trigger a third run.
    expect(dagctl(['datasets', 'emit', CUSTOMERS], home.env).status).toBe(0);
    await eventually(
      async () =>
        (await execSql(ds, `SELECT 1 FROM dataset_dag_run_queue WHERE target_dag_id = 'consumer'`)).records.length ===
        1,
      { what: 'the customers update to be queued', timeoutMs: 30_000 },
    );
    expect(await consumerRuns(ds)).toHaveLength(2);
    const { records: links } = await execSql<{ n: number | string }>(
      ds,
      'SELECT COUNT(*) AS n FROM dagrun_dataset_event',
    );
    expect(Number(links[0].n)).toBe(4);

    const listed = JSON.parse(dagctl(['datasets', 'list', '-o', 'json'], home.env).stdout) as unknown[];
    expect(listed).toEqual([
      expect.objectContaining({
        uri: CUSTOMERS,
        producing_tasks: ['producer_customers.write'],
        consuming_dags: ['consumer'],
      }),
      expect.objectContaining({
        uri: ORDERS,
        producing_tasks: ['producer_orders.write'],
        consuming_dags: ['consumer'],
      }),
    ]);
  });
});
