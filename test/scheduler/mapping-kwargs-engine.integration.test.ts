import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../src/app/app-context';
import { errorMessage } from '../../src/core/errors';
import { execSql } from '../../src/db/sql';
import { runInTransaction } from '../../src/db/transaction';
import { reviseMappedTask } from '../../src/db/transitions/task-instance-transitions';
import { readSerializedDag } from '../../src/db/reads/read-serialized-dag';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness } from '../helpers/engine-harness';
import { mappingMoreDags } from '../helpers/engine-suite/mapping-more-dags';
import { eventually } from '../helpers/eventually';
import { waitForRun } from '../helpers/run-queries';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(240_000);

interface Row {
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  end_reason: string | null;
}

// expandKwargs, re-expansion on clear, depends_on_past per map index and a reduce of mapped
// outputs kept in files (core.xcom_backend = filesystem), through the real scheduler, the local
// executor and each database (README "Dynamic task mapping").
describe.each(DATABASE_KINDS)('dynamic task mapping beyond expand on %s', (kind) => {
  const engine = engineHarness({
    kind,
    env: {
      DAGCTL__CORE__EXECUTOR: 'local',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
      DAGCTL__CORE__XCOM_BACKEND: 'filesystem',
    },
    dags: (home) => mappingMoreDags(home.home),
  });
  let ctx: AppContext;
  let home: TestHome;
  beforeAll(() => {
    ({ ctx, home } = engine);
  });

  const rows = async (dagId: string, runId: string, taskId?: string): Promise<Row[]> => {
    const { records } = await execSql<Row>(
      ctx.dataSource,
      'SELECT task_id, map_index, state, try_number, end_reason FROM task_instance WHERE dag_id = ? AND run_id = ?' +
        (taskId ? ' AND task_id = ?' : ''),
      taskId ? [dagId, runId, taskId] : [dagId, runId],
    );
    return records
      .map((r) => ({ ...r, map_index: Number(r.map_index), try_number: Number(r.try_number) }))
      .sort((a, b) => a.task_id.localeCompare(b.task_id) || a.map_index - b.map_index);
  };
  /** The run's final state; if it never finishes, the error lists its task instances. */
  const finished = async (dagId: string, runId: string): Promise<string> => {
    try {
      return await waitForRun(ctx, dagId, runId, 60_000);
    } catch (err) {
      const list = (await rows(dagId, runId)).map(
        (r) => `${r.task_id}[${r.map_index}]=${r.state} ${r.end_reason ?? ''}`,
      );
      throw new Error(`${errorMessage(err)}; task instances: ${list.join(', ')}`, { cause: err });
    }
  };
  const statesOf = async (dagId: string, runId: string, taskId: string) =>
    (await rows(dagId, runId, taskId)).map((r) => [r.map_index, r.state]);
  const xcomRows = async (dagId: string, runId: string, taskId: string) => {
    const { records } = await execSql<{ map_index: number; value: string }>(
      ctx.dataSource,
      "SELECT map_index, value FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? AND key = 'return_value'",
      [dagId, runId, taskId],
    );
    return records.map((r) => ({ mapIndex: Number(r.map_index), value: r.value }));
  };
  const xcom = async (dagId: string, runId: string, taskId: string): Promise<unknown> =>
    JSON.parse((await xcomRows(dagId, runId, taskId))[0].value) as unknown;

  it('expandKwargs maps one task instance per element, from literal lists and upstream outputs', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'kwargs' });
    expect(await finished('kwargs', run.runId)).toBe('success');
    expect(await statesOf('kwargs', run.runId, 'bash_up')).toEqual([
      [0, 'success'],
      [1, 'success'],
    ]);
    expect(await statesOf('kwargs', run.runId, 'label')).toHaveLength(3);
    expect(await xcom('kwargs', run.runId, 'echoed')).toEqual(['one', 'two']);
    expect(await xcom('kwargs', run.runId, 'joined')).toBe('a1,b2,c3');
    expect(await xcom('kwargs', run.runId, 'sum')).toBe(10 + 1 * 2 + 10 + 3 * 4);
    const literal = await xcomRows('kwargs', run.runId, 'bash_literal');
    expect(literal.sort((a, b) => a.mapIndex - b.mapIndex).map((r) => JSON.parse(r.value) as unknown)).toEqual([
      'lit',
      '/tmp',
    ]);
  });

  it('expandKwargs fails clearly on an element that is not an object or sets an unknown option', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'kwargs_bad' });
    expect(await finished('kwargs_bad', run.runId)).toBe('failed');
    const byTask = new Map((await rows('kwargs_bad', run.runId)).map((r) => [r.task_id, r]));
    expect(byTask.get('not_objects')).toMatchObject({ state: 'failed' });
    expect(byTask.get('not_objects')!.end_reason).toContain(
      "DAG 'kwargs_bad', task 'not_objects': XCom 'return_value' is expanded over by task 'of_not_objects' " +
        'with expandKwargs(), so each element must be an object of options, but element 1 is a number',
    );
    expect(byTask.get('of_not_objects')).toMatchObject({ state: 'upstream_failed' });
    expect(byTask.get('of_typo')).toMatchObject({ map_index: 0, state: 'failed' });
    expect(byTask.get('of_typo')!.end_reason).toContain(
      "DAG 'kwargs_bad', task 'of_typo': expandKwargs() element 0 sets 'bashComand', which is not an option " +
        'this operator can map over',
    );
  });

  it('a cleared mapped task follows its list: new map indexes run, surplus ones are removed', async () => {
    const lengthFile = path.join(home.home, 'remap-length');
    fs.writeFileSync(lengthFile, '3');
    const run = await triggerDagRun(ctx, { dagId: 'remap' });
    expect(await finished('remap', run.runId)).toBe('success');
    expect(await xcom('remap', run.runId, 'total')).toBe(0 + 10 + 20);

    // Longer: map indexes 3 and 4 are created and run, 0..2 run again (their second try).
    fs.writeFileSync(lengthFile, '5');
    await clearTaskInstances(ctx, { dagId: 'remap', runId: run.runId });
    expect(await finished('remap', run.runId)).toBe('success');
    expect((await rows('remap', run.runId, 'each')).map((r) => [r.map_index, r.state, r.try_number])).toEqual([
      [0, 'success', 2],
      [1, 'success', 2],
      [2, 'success', 2],
      [3, 'success', 1],
      [4, 'success', 1],
    ]);
    expect(await xcom('remap', run.runId, 'total')).toBe(0 + 10 + 20 + 30 + 40);

    // Shorter: map indexes 2..4 are removed (with their XComs), and the reduce gets two values.
    fs.writeFileSync(lengthFile, '2');
    await clearTaskInstances(ctx, { dagId: 'remap', runId: run.runId });
    expect(await finished('remap', run.runId)).toBe('success');
    const each = await rows('remap', run.runId, 'each');
    expect(each.map((r) => [r.map_index, r.state])).toEqual([
      [0, 'success'],
      [1, 'success'],
      [2, 'removed'],
      [3, 'removed'],
      [4, 'removed'],
    ]);
    expect(each[2].end_reason).toBe('the list it was mapped over is shorter now');
    expect((await xcomRows('remap', run.runId, 'each')).map((r) => r.mapIndex).sort()).toEqual([0, 1]);
    expect(await xcom('remap', run.runId, 'total')).toBe(10);

    // The transition is guarded: revising again to the same length (a second scheduler) changes nothing.
    const stored = await readSerializedDag(ctx.dataSource, 'remap');
    const task = { ...stored!.dag.tasks.find((t) => t.taskId === 'each')!, effectivePriority: 1 };
    const again = await runInTransaction(ctx.dataSource, (tx) =>
      reviseMappedTask(tx, { dagId: 'remap', runId: run.runId }, task, 2, new Date()),
    );
    expect(again).toEqual({ created: 0, removed: 0 });
    expect(await rows('remap', run.runId, 'each')).toEqual(each);
  });

  it('depends_on_past holds each map index on the same map index of the previous run', async () => {
    const failFile = path.join(home.home, 'past-fail');
    fs.writeFileSync(failFile, '');
    const first = await triggerDagRun(ctx, { dagId: 'past_map', logicalDate: new Date('2026-02-01T00:00:00Z') });
    expect(await finished('past_map', first.runId)).toBe('failed');
    expect(await statesOf('past_map', first.runId, 'each')).toEqual([
      [0, 'success'],
      [1, 'failed'],
      [2, 'success'],
    ]);

    // The next run: map indexes 0 and 2 run, map index 1 waits for map index 1 of the run before.
    fs.rmSync(failFile);
    const second = await triggerDagRun(ctx, { dagId: 'past_map', logicalDate: new Date('2026-02-02T00:00:00Z') });
    await eventually(
      async () =>
        expect(await statesOf('past_map', second.runId, 'each')).toEqual([
          [0, 'success'],
          [1, null],
          [2, 'success'],
        ]),
      { what: 'map indexes 0 and 2 to run while 1 waits', timeoutMs: 60_000 },
    );
    const { records } = await execSql<{ state: string }>(
      ctx.dataSource,
      'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?',
      ['past_map', second.runId],
    );
    expect(records[0].state).toBe('running');

    // Once map index 1 of the first run succeeds (cleared, run again), the second run's goes too.
    await clearTaskInstances(ctx, { dagId: 'past_map', runId: first.runId, taskIds: ['each'] });
    expect(await finished('past_map', first.runId)).toBe('success');
    expect(await finished('past_map', second.runId)).toBe('success');
    expect(await statesOf('past_map', second.runId, 'each')).toEqual([
      [0, 'success'],
      [1, 'success'],
      [2, 'success'],
    ]);
  });

  it('reduces mapped outputs kept in files by the filesystem XCom backend', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'fs_reduce' });
    expect(await finished('fs_reduce', run.runId)).toBe('success');
    const stored = (await xcomRows('fs_reduce', run.runId, 'blob')).sort((a, b) => a.mapIndex - b.mapIndex);
    expect(stored.map((r) => r.mapIndex)).toEqual([0, 1, 2]);
    for (const row of stored) {
      // The row holds where the value is, never the value (each is above 1 KiB).
      expect(row.value).not.toContain('xxxx');
      expect(row.value).toContain(`map_index=${row.mapIndex}`);
      const relative = (Object.values(JSON.parse(row.value) as Record<string, string>)[0] ?? '').toString();
      expect(fs.existsSync(path.join(home.home, 'xcom', relative))).toBe(true);
    }
    expect(await xcom('fs_reduce', run.runId, 'reduce')).toEqual(['1:2000', '2:4000', '3:6000']);
  });
});
