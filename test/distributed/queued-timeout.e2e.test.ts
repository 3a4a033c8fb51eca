import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { DistributedCluster } from './helpers/distributed-cluster';
import { waitForRun } from '../helpers/run-queries';

const DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('unserved', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'served', fn: () => 'ok', dag });
new FunctionOperator({ taskId: 'orphan', queue: 'nobody', fn: () => 'never', dag });
export default dag;
`;

describe('scheduler.task_queued_timeout with the bullmq executor', () => {
  jest.setTimeout(240_000);
  const cluster = new DistributedCluster();

  beforeAll(async () => {
    await cluster.setUp({ 'unserved.ts': DAG }, { DAGCTL__SCHEDULER__TASK_QUEUED_TIMEOUT: '4s' });
    await cluster.startWorker(2);
    cluster.startScheduler();
    await cluster.waitForDags(1);
  });

  afterAll(() => cluster.tearDown());

  it('fails a try no worker takes from its queue, saying which queue', async () => {
    const run = await triggerDagRun(cluster.ctx, { dagId: 'unserved', runId: 'unserved_1' });
    expect(await waitForRun(cluster.ctx, 'unserved', run.runId)).toBe('failed');
    const { records } = await execSql<{ task_id: string; state: string; end_reason: string | null }>(
      cluster.ctx.dataSource,
      "SELECT task_id, state, end_reason FROM task_instance WHERE dag_id = 'unserved' ORDER BY task_id",
    );
    expect(records[0]).toMatchObject({
      task_id: 'orphan',
      state: 'failed',
      end_reason: expect.stringMatching(/stuck in queued for .*no worker took it from queue 'nobody'/),
    });
    expect(records[1]).toMatchObject({ task_id: 'served', state: 'success' });
  });
});
