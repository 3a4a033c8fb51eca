import fs from 'node:fs';
import { VariableEntity } from '../../src/db/entities/variable.entity';
import { renderTemplatedFields, templatesMentionVariables } from '../../src/runner/render-templates';
import { runTask } from '../../src/runner/run-task';
import { buildTemplateContext, dsAdd } from '../../src/runner/template-context';
import { DatabaseVariableSource, staticVariableSource, type VariableSource } from '../../src/runner/variable-source';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

describe('template rendering', () => {
  const workload = makeWorkload('/nowhere.ts', 'd', 't', { tryNumber: 3, conf: { table: 'sales' } });
  const context = (variables: Record<string, string> | null = null) =>
    buildTemplateContext({
      workload,
      params: { who: 'world', table: 'sales' },
      variables: variables && ((key: string) => (Object.hasOwn(variables, key) ? variables[key] : undefined)),
      xcomPull: (taskId, key) => `${taskId}:${key}`,
    });

  it('offers Airflow names for dates, run and task facts', () => {
    const rendered = renderTemplatedFields(
      {
        a: '{{ ds }} {{ ds_nodash }} {{ ts }} {{ ts_nodash }}',
        b: '{{ logical_date }} {{ data_interval_start }} {{ data_interval_end }}',
        c: '{{ run_id }} {{ dag_run.run_type }} {{ dag_run.conf.table }} {{ params.who }}',
        d:
          '{{ ti.try_number }} {{ task_instance.task_id }} {{ ti.dag_id }} ' +
          '{{ ti.map_index }} {{ task.task_id }} {{ dag.dag_id }}',
        e:
          "{{ macros.ds_add(ds, -5) }} {{ logical_date.strftime('%Y/%m') }} " +
          "{{ ti.xcom_pull('up') }} {{ ti.xcom_pull(task_ids='up', key='k') }}",
      },
      context(),
    );
    expect(rendered).toEqual({
      a: '2026-01-05 20260105 2026-01-05T00:00:00+00:00 20260105T000000',
      b: '2026-01-05T00:00:00+00:00 2026-01-04T00:00:00+00:00 2026-01-05T00:00:00+00:00',
      c: 'manual__2026-01-05T00:00:00+00:00 manual sales world',
      d: '3 t d -1 t d',
      e: '2025-12-31 2026/01 up:return_value up:k',
    });
  });

  it('renders strings inside arrays and objects, leaves other values alone, does not escape HTML', () => {
    const rendered = renderTemplatedFields(
      { env: { DAY: '{{ ds }}', N: 3, LIST: ['<{{ params.who }}>', null] }, plain: 'no template' },
      context(),
    );
    expect(rendered).toEqual({ env: { DAY: '2026-01-05', N: 3, LIST: ['<world>', null] }, plain: 'no template' });
  });

  it('reads var.value and var.json, and fails on an unknown variable naming the field', () => {
    const variables = { greeting: 'hi', cfg: '{"rows": 10}' };
    expect(
      renderTemplatedFields(
        { x: "{{ var.value.greeting }} {{ var.json.cfg.rows }} {{ var.value.get('nope', 'dflt') }}" },
        context(variables),
      ),
    ).toEqual({ x: 'hi 10 dflt' });
    expect(() => renderTemplatedFields({ bashCommand: 'echo {{ var.value.nope }}' }, context(variables))).toThrow(
      /^template error in field 'bashCommand': .*Variable 'nope' does not exist$/,
    );
    expect(() => renderTemplatedFields({ cwd: '{{ ds ' }, context())).toThrow(
      /^template error in field 'cwd': [^\n]+$/,
    );
  });

  it('fetches variables only when a template mentions var', () => {
    expect(templatesMentionVariables(['echo {{ ds }}', { a: ['export var=1'] }])).toBe(false);
    expect(templatesMentionVariables(['echo hi', { a: ['{{ var.value.x }}'] }])).toBe(true);
    expect(dsAdd('2026-03-01', -1)).toBe('2026-02-28');
  });

  describe('in a task, with variables from a real SQLite database', () => {
    const env = makeTempHome();
    let db: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
    const file = writeDagFile(
      env.dags,
      'templated.ts',
      `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('templated', { schedule: null, params: { region: 'eu', limit: 5 } });
new BashOperator({
  taskId: 'echo',
  dag,
  bashCommand:
    'echo "{{ params.region }} {{ params.limit }} {{ dag_run.conf.extra }} ' +
    '{{ var.value.bucket }} {{ ti.try_number }}"',
  env: { DAY: '{{ ds }}' },
});
new BashOperator({ taskId: 'broken', dag, bashCommand: 'echo {{ var.value.missing }}' });
new BashOperator({ taskId: 'no_var', dag, bashCommand: 'echo {{ ds }}' });
new BashOperator({
  taskId: 'prev',
  dag,
  bashCommand: 'echo {{ prev_data_interval_start_success }} {{ prev_start_date_success }}',
});
export default dag;`,
    );

    beforeAll(async () => {
      db = await openMigratedTestDatabase('sqlite');
      await db.dataSource.getRepository(VariableEntity).save({ key: 'bucket', val: 's3://data', description: null });
    });
    afterAll(async () => {
      await db.close();
      env.remove();
    });

    it('renders params (overridden by conf), conf and variables, and reports the rendered fields', async () => {
      let reads = 0;
      const source = new DatabaseVariableSource(async () => {
        reads += 1;
        return db.dataSource;
      });
      const options = { baseLogFolder: env.logs, logMaxBytes: 1e6, variables: source };
      const outcome = await runTask(
        makeWorkload(file, 'templated', 'echo', { tryNumber: 2, conf: { limit: 9, extra: 'x' } }),
        options,
      );
      expect(outcome).toMatchObject({ state: 'success', xcoms: { return_value: 'eu 9 x s3://data 2' } });
      expect(outcome.renderedFields).toEqual({ bashCommand: 'echo "eu 9 x s3://data 2"', env: { DAY: '2026-01-05' } });
      expect(reads).toBe(1);

      const failed = await runTask(makeWorkload(file, 'templated', 'broken'), options);
      expect(failed.state).toBe('failed');
      expect(failed.reason).toMatch(/^template error in field 'bashCommand': .*Variable 'missing' does not exist$/);
      expect(reads).toBe(2);

      expect(await runTask(makeWorkload(file, 'templated', 'no_var'), options)).toMatchObject({
        state: 'success',
        xcoms: { return_value: '2026-01-05' },
      });
      expect(reads).toBe(2);
    });

    it('asks for the previous successful run only for a try whose templates name a prev_*_success value', async () => {
      const asked: string[] = [];
      const source: VariableSource = {
        ...staticVariableSource({}),
        prevSuccess: async (key, logicalDate) => {
          asked.push(`${key.taskId} ${logicalDate}`);
          return {
            dataIntervalStart: '2026-01-03T00:00:00.000Z',
            dataIntervalEnd: '2026-01-04T00:00:00.000Z',
            startDate: '2026-01-04T00:05:00.000Z',
          };
        },
      };
      const options = { baseLogFolder: env.logs, logMaxBytes: 1e6, variables: source };
      expect(await runTask(makeWorkload(file, 'templated', 'no_var'), options)).toMatchObject({ state: 'success' });
      expect(asked).toEqual([]);
      const workload = makeWorkload(file, 'templated', 'prev');
      expect(await runTask(workload, options)).toMatchObject({
        state: 'success',
        xcoms: { return_value: '2026-01-03T00:00:00+00:00 2026-01-04T00:05:00+00:00' },
      });
      expect(asked).toEqual([`prev ${workload.logicalDate}`]);
      // A workload that carries them (`tasks render` builds one) is rendered without asking.
      const given = { ...workload, prevSuccess: null };
      expect(await runTask(given, options)).toMatchObject({
        state: 'success',
        renderedFields: { bashCommand: 'echo  ' },
      });
      expect(asked).toHaveLength(1);
    });

    it('works with a variable source that is not the database', async () => {
      // A name that does not exist fails the render: the conf names 'extra', empty.
      const outcome = await runTask(makeWorkload(file, 'templated', 'echo', { conf: { extra: '' } }), {
        baseLogFolder: env.logs,
        logMaxBytes: 1e6,
        variables: staticVariableSource({ bucket: 'mem' }),
      });
      expect(outcome.xcoms).toEqual({ return_value: 'eu 5  mem 1' });
      expect(fs.existsSync(env.logs)).toBe(true);
    });
  });
});
