import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { runStates, waitForRun } from '../helpers/run-queries';

/** Cross-DAG operators and the time and file sensors, end to end: SQLite, the local executor, one scheduler. */

const DAGS: Record<string, (dropFolder: string) => string> = {
  upstream: () => `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('upstream', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'produce', fn: () => 42, dag });
export default dag;`,
  broken: () => `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('broken', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'boom', fn: () => { throw new Error('boom'); }, dag });
export default dag;`,
  waiter: () => `
import { DAG, ExternalTaskSensor } from 'dagctl';
const dag = new DAG('waiter', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new ExternalTaskSensor({ taskId: 'wait_task', externalDagId: 'upstream', externalTaskId: 'produce',
  mode: 'reschedule', pokeInterval: '1s', timeout: '2m', dag });
new ExternalTaskSensor({ taskId: 'wait_run_before', externalDagId: 'upstream', executionDelta: '1h',
  mode: 'reschedule', pokeInterval: '1s', timeout: '2m', dag });
export default dag;`,
  broken_waiter: () => `
import { DAG, ExternalTaskSensor } from 'dagctl';
const dag = new DAG('broken_waiter', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new ExternalTaskSensor({ taskId: 'wait_boom', externalDagId: 'broken', externalTaskIds: ['boom'],
  failedStates: ['failed'], pokeInterval: '1s', timeout: '2m', dag });
export default dag;`,
  parent: () => `
import { DAG, TriggerDagRunOperator } from 'dagctl';
const dag = new DAG('parent', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new TriggerDagRunOperator({ taskId: 'trigger', triggerDagId: 'child', pool: 'solo',
  conf: { greeting: 'hello from {{ dag_run.run_id }}' }, waitForCompletion: true, pokeInterval: '1s', dag });
export default dag;`,
  child: () => `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('child', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'work', pool: 'solo', fn: (ctx) => ctx.dagRun.conf.greeting, dag });
export default dag;`,
  files: (dropFolder) => `
import { DAG, FileSensor, TimeDeltaSensor, DateTimeSensor } from 'dagctl';
const dag = new DAG('files', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FileSensor({ taskId: 'wait_file', filepath: ${JSON.stringify(dropFolder)} + '/{{ ds }}-*.csv',
  mode: 'reschedule', pokeInterval: '1s', timeout: '2m', dag });
new TimeDeltaSensor({ taskId: 'after_interval', delta: '1s', pokeInterval: '1s', dag });
new DateTimeSensor({ taskId: 'at_time', targetTime: '{{ data_interval_end }}', mode: 'reschedule',
  pokeInterval: '1s', exponentialBackoff: true, maxWait: '1s', dag });
export default dag;`,
};

describe('cross-DAG operators and time/file sensors (sqlite, local executor)', () => {
  const dropFolderOf = (home: TestHome): string => path.join(home.dagsFolder, '..', 'drop');
  const engine = engineHarness({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    dags: (home) =>
      Object.fromEntries(Object.entries(DAGS).map(([name, source]) => [`${name}.ts`, source(dropFolderOf(home))])),
    beforeStart: async ({ ctx, home }) => {
      fs.mkdirSync(dropFolderOf(home));
      await execSql(ctx.dataSource, "INSERT INTO slot_pool (pool, slots, description) VALUES ('solo', 1, 'test')");
    },
  });
  let ctx: AppContext;
  let dropFolder: string;
  beforeAll(() => {
    ({ ctx } = engine);
    dropFolder = dropFolderOf(engine.home);
  });

  const taskState = async (dagId: string, runId: string, taskId: string): Promise<string | null> =>
    (await runStates(ctx, dagId, runId))[taskId]?.state ?? null;

  it('ExternalTaskSensor waits for a task at the same date and a run shifted by executionDelta', async () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const waiter = await triggerDagRun(ctx, { dagId: 'waiter', logicalDate: at });
    // Nothing to wait for yet: both sensors give their slot back and poke again later.
    await eventually(
      async () => {
        const { records } = await execSql<{ n: number }>(
          ctx.dataSource,
          "SELECT COUNT(*) AS n FROM task_instance WHERE dag_id = 'waiter' AND first_reschedule_date IS NOT NULL",
        );
        expect(Number(records[0].n)).toBe(2);
      },
      { what: 'both sensors to reschedule' },
    );
    const same = await triggerDagRun(ctx, { dagId: 'upstream', logicalDate: at });
    expect(await waitForRun(ctx, 'upstream', same.runId)).toBe('success');
    await eventually(async () => expect(await taskState('waiter', waiter.runId, 'wait_task')).toBe('success'), {
      what: 'wait_task to succeed',
    });
    // The run an hour earlier does not exist yet: that sensor is still waiting.
    expect(await taskState('waiter', waiter.runId, 'wait_run_before')).not.toBe('success');
    const before = await triggerDagRun(ctx, { dagId: 'upstream', logicalDate: new Date(at.getTime() - 3_600_000) });
    expect(await waitForRun(ctx, 'upstream', before.runId)).toBe('success');
    expect(await waitForRun(ctx, 'waiter', waiter.runId)).toBe('success');
  }, 180_000);

  it('ExternalTaskSensor fails when the external task reaches one of failedStates', async () => {
    const at = new Date('2026-03-02T00:00:00Z');
    const broken = await triggerDagRun(ctx, { dagId: 'broken', logicalDate: at });
    expect(await waitForRun(ctx, 'broken', broken.runId)).toBe('failed');
    const waiter = await triggerDagRun(ctx, { dagId: 'broken_waiter', logicalDate: at });
    expect(await waitForRun(ctx, 'broken_waiter', waiter.runId)).toBe('failed');
    expect(await taskState('broken_waiter', waiter.runId, 'wait_boom')).toBe('failed');
  }, 180_000);

  it('TriggerDagRunOperator waits for its run without holding the one slot of the pool the run needs', async () => {
    const parent = await triggerDagRun(ctx, { dagId: 'parent' });
    expect(await waitForRun(ctx, 'parent', parent.runId, 120_000)).toBe('success');
    const { records } = await execSql<{ run_id: string; state: string; conf: string; triggered_by_task: string }>(
      ctx.dataSource,
      "SELECT run_id, state, conf, triggered_by_task FROM dag_run WHERE dag_id = 'child'",
    );
    expect(records).toHaveLength(1);
    expect(records[0].state).toBe('success');
    expect(records[0].triggered_by_task).toBe(`parent/${parent.runId}/trigger`);
    // conf is templated: rendered in the triggering task, then handed over as data.
    expect(JSON.parse(records[0].conf)).toEqual({ greeting: `hello from ${parent.runId}` });
    const xcom = await execSql<{ value: string }>(
      ctx.dataSource,
      "SELECT value FROM xcom WHERE dag_id = 'parent' AND task_id = 'trigger' AND key = 'trigger_run_id'",
    );
    expect(xcom.records.map((r) => JSON.parse(r.value) as unknown)).toEqual([records[0].run_id]);
  }, 180_000);

  it('FileSensor waits for a glob to match; TimeDeltaSensor and DateTimeSensor wait for their time', async () => {
    const at = new Date('2026-03-03T00:00:00Z');
    const run = await triggerDagRun(ctx, { dagId: 'files', logicalDate: at });
    await eventually(
      async () => {
        const { records } = await execSql<{ n: number }>(
          ctx.dataSource,
          `SELECT COUNT(*) AS n FROM task_instance
           WHERE dag_id = 'files' AND task_id = 'wait_file' AND first_reschedule_date IS NOT NULL`,
        );
        expect(Number(records[0].n)).toBe(1);
      },
      { what: 'the file sensor to reschedule' },
    );
    fs.writeFileSync(path.join(dropFolder, '2026-03-03-part1.csv'), 'a,b\n');
    expect(await waitForRun(ctx, 'files', run.runId)).toBe('success');
    expect(await runStates(ctx, 'files', run.runId)).toMatchObject({
      wait_file: { state: 'success' },
      after_interval: { state: 'success' },
      at_time: { state: 'success' },
    });
  }, 180_000);
});
