import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import type { DAG } from '../../src/authoring/dag';
import type { BashOperator } from '../../src/authoring/operators/bash-operator';
import { timetableFromSpec } from '../../src/timetables';
import { fakeTaskContext } from './helpers/fake-task-context';

const DAGS_DIR = join(__dirname, '..', '..', 'dags');
const files = readdirSync(DAGS_DIR)
  .filter((f) => /\.(ts|js|mjs|ya?ml)$/.test(f))
  .sort();

async function load(name: string): Promise<DAG> {
  const dags = await loadDagFile(join(DAGS_DIR, name));
  expect(dags).toHaveLength(1);
  return dags[0];
}

describe('example DAGs in dags/', () => {
  test('the expected examples exist', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'hello_world.ts',
        'example_fan_out_fan_in.ts',
        'example_bash_templating.ts',
        'example_retries.ts',
        'example_etl.yaml',
        'example_params.ts',
        'example_typed_pipeline.ts',
      ]),
    );
  });

  test.each(files)('%s loads, validates, serializes, and does not catch up', async (name) => {
    const dags = await loadDagFile(join(DAGS_DIR, name));
    expect(dags.length).toBeGreaterThan(0);
    for (const dag of dags) {
      expect(() => dag.validate()).not.toThrow();
      expect(dag.catchup).toBe(false);
      expect(JSON.stringify(serializeDag(dag))).toBe(JSON.stringify(serializeDag(dag)));
    }
  });

  test('example_typed_pipeline: typed tasks extract → transform → load, then a bash task', async () => {
    const dag = await load('example_typed_pipeline.ts');
    expect(dag.topologicalOrder().map((t) => [t.taskId, t.operatorName, [...t.upstreamTaskIds]])).toEqual([
      ['extract', 'TypedTaskOperator', []],
      ['transform', 'TypedTaskOperator', ['extract']],
      ['load', 'TypedTaskOperator', ['transform']],
      ['announce', 'BashOperator', ['load']],
    ]);
    expect((dag.getTask('announce') as BashOperator).bashCommand).toBe(`echo "{{ ti.xcom_pull(task_ids='load') }}"`);
    const ctx = fakeTaskContext({ xcoms: { transform: { orders: 2, revenue: 4.5 } } });
    await expect(dag.getTask('load').execute(ctx)).resolves.toBe('loaded 2 orders (4.50)');
  });

  test('example_business_days: its class is run at parse time into runs on weekdays only', async () => {
    const dag = await load('example_business_days.ts');
    const spec = serializeDag(dag).schedule;
    if (spec.kind !== 'precomputed') throw new Error(`expected a precomputed schedule, got ${spec.kind}`);
    expect(spec.className).toBe('BusinessDaysTimetable');
    expect(spec.runs.length).toBeGreaterThan(100);
    for (const run of spec.runs) {
      expect([1, 2, 3, 4, 5]).toContain(new Date(run.start).getUTCDay());
      expect(Date.parse(run.end) - Date.parse(run.start)).toBe(24 * 3600 * 1000);
      expect(run.runAfter).toBe(run.end);
    }
    // The scheduler side: a Saturday-to-Monday gap, and a Monday trigger covering the Friday before.
    const timetable = timetableFromSpec(spec);
    const friday = spec.runs.find((r) => new Date(r.start).getUTCDay() === 5)!;
    const next = timetable.nextDagRunInfo(
      { start: new Date(friday.start), end: new Date(friday.end) },
      { earliest: null, latest: null, catchup: true },
      new Date(friday.end),
    );
    expect(next?.logicalDate.getTime()).toBe(Date.parse(friday.start) + 3 * 24 * 3600 * 1000);
    const monday = new Date(Date.parse(friday.start) + 3 * 24 * 3600 * 1000 + 3600 * 1000);
    expect(timetable.inferManualDataInterval(monday)).toEqual({
      start: new Date(friday.start),
      end: new Date(friday.end),
    });
  });

  test('hello_world is the contract example', async () => {
    const dag = await load('hello_world.ts');
    expect(dag.dagId).toBe('hello_world');
    expect(dag.scheduleSpec).toEqual({ kind: 'cron', expression: '0 12 * * *', timezone: 'UTC' });
    expect(dag.startDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(dag.getTask('dummy_task')).toMatchObject({
      operatorName: 'EmptyOperator',
      retries: 3,
      retryDelayMs: 300_000,
    });
    const hello = dag.getTask('hello_task');
    expect(hello).toMatchObject({ operatorName: 'FunctionOperator', retries: 1 });
    expect([...hello.upstreamTaskIds]).toEqual(['dummy_task']);
    expect(hello.toOutcome(await hello.execute(fakeTaskContext()))).toEqual({
      xcoms: { return_value: 'Hello world!' },
    });
  });

  test('example_fan_out_fan_in sums the parts through XComs', async () => {
    const dag = await load('example_fan_out_fan_in.ts');
    const xcoms: Record<string, unknown> = {};
    for (const task of dag.topologicalOrder()) {
      xcoms[task.taskId] = await task.execute(fakeTaskContext({ taskId: task.taskId, xcoms }));
    }
    expect(dag.getTask('start').downstreamTaskIds.size).toBe(4);
    expect([...dag.getTask('join').upstreamTaskIds].sort()).toEqual(['part_1', 'part_2', 'part_3', 'part_4']);
    expect(xcoms.join).toBe(100);
  });

  test('example_bash_templating has templated bash commands and params', async () => {
    const dag = await load('example_bash_templating.ts');
    expect((dag.getTask('run_info') as BashOperator).bashCommand).toBe(
      'echo "run for {{ ds }} try {{ ti.try_number }}"',
    );
    expect(dag.params).toEqual({ greeting: 'hello', target: 'world' });
    expect(serializeDag(dag).tasks[1].templateFields).toEqual({
      bashCommand: 'echo "$GREETING, {{ params.target }}!"',
      env: { GREETING: '{{ params.greeting }}' },
    });
  });

  test('example_retries fails on try 1 and succeeds on try 2', async () => {
    const dag = await load('example_retries.ts');
    const flaky = dag.getTask('flaky');
    expect(flaky).toMatchObject({ retries: 2, retryDelayMs: 1000 });
    await expect(flaky.execute(fakeTaskContext({ tryNumber: 1 }))).rejects.toThrow('transient failure on try 1');
    await expect(flaky.execute(fakeTaskContext({ tryNumber: 2 }))).resolves.toBe('succeeded on try 2');
  });

  test('example_etl.yaml is the contract YAML example', async () => {
    const dag = await load('example_etl.yaml');
    expect(dag.dagId).toBe('etl');
    expect(dag.taskIds).toEqual(['extract', 'load']);
    expect((dag.getTask('extract') as BashOperator).bashCommand).toBe('echo extracting {{ ds }}');
    expect([...dag.getTask('load').upstreamTaskIds]).toEqual(['extract']);
  });
});
