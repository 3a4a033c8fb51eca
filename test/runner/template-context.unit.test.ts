import type { TaskWorkload } from '../../src/core/executor';
import { renderTemplatedFields } from '../../src/runner/render-templates';
import { buildTemplateContext, TemplateConnection } from '../../src/runner/template-context';

/** A daily run for 2026-03-04 whose previous successful run covered 2026-03-03. */
const workload: TaskWorkload = {
  key: { dagId: 'example', runId: 'scheduled__2026-03-04T00:00:00+00:00', taskId: 'report', mapIndex: -1 },
  tryNumber: 2,
  fileloc: '/dags/example.ts',
  dagHash: null,
  queue: 'default',
  priority: 1,
  executionTimeoutMs: null,
  pool: 'default_pool',
  poolSlots: 1,
  logicalDate: '2026-03-04T00:00:00.000Z',
  dataIntervalStart: '2026-03-04T00:00:00.000Z',
  dataIntervalEnd: '2026-03-05T00:00:00.000Z',
  runType: 'scheduled',
  conf: { region: 'eu' },
  maxTries: 3,
  xcoms: { extract: { return_value: 42, rows: [1, 2] } },
  firstRescheduleDate: null,
  prevSuccess: {
    dataIntervalStart: '2026-03-03T00:00:00.000Z',
    dataIntervalEnd: '2026-03-04T00:00:00.000Z',
    startDate: '2026-03-04T00:05:12.345Z',
  },
};

const warehouse: TemplateConnection = {
  conn_id: 'warehouse',
  conn_type: 'postgres',
  host: 'db.example.com',
  port: 5432,
  login: 'etl',
  password: 'pw',
  schema: 'analytics',
  extra: '{"sslmode":"require"}',
  extra_dejson: { sslmode: 'require' },
};

const VARIABLES: Record<string, string> = { bucket: 's3://data', settings: '{"retries": 3}' };

function render(template: string, undefinedNames: 'strict' | 'empty' = 'strict'): unknown {
  const context = buildTemplateContext({
    workload,
    params: { n: 5, nested: { k: 'v' } },
    variables: (key) => VARIABLES[key],
    connections: (id) => (id === 'warehouse' ? warehouse : undefined),
    xcomPull: (taskId, key = 'return_value') => workload.xcoms[taskId]?.[key],
    undefinedNames,
  });
  return renderTemplatedFields({ bash_command: template }, context, undefinedNames).bash_command;
}

/** Every name of contract §3, with what Airflow renders for the same run. */
const CASES: Array<[template: string, airflow: string]> = [
  ['{{ ds }}', '2026-03-04'],
  ['{{ ds_nodash }}', '20260304'],
  ['{{ ts }}', '2026-03-04T00:00:00+00:00'],
  ['{{ ts_nodash }}', '20260304T000000'],
  ['{{ ts_nodash_with_tz }}', '20260304T000000+0000'],
  ['{{ logical_date }}', '2026-03-04T00:00:00+00:00'],
  ['{{ execution_date }}', '2026-03-04T00:00:00+00:00'],
  ["{{ logical_date.strftime('%Y-%m') }}", '2026-03'],
  ['{{ data_interval_start }}', '2026-03-04T00:00:00+00:00'],
  ['{{ data_interval_end }}', '2026-03-05T00:00:00+00:00'],
  ['{{ prev_data_interval_start_success }}', '2026-03-03T00:00:00+00:00'],
  ['{{ prev_data_interval_end_success }}', '2026-03-04T00:00:00+00:00'],
  ['{{ prev_start_date_success }}', '2026-03-04T00:05:12.345000+00:00'],
  ['{{ run_id }}', 'scheduled__2026-03-04T00:00:00+00:00'],
  ['{{ dag_run.run_id }}', 'scheduled__2026-03-04T00:00:00+00:00'],
  ['{{ dag_run.conf.region }}', 'eu'],
  ['{{ dag_run.logical_date }}', '2026-03-04T00:00:00+00:00'],
  ['{{ dag_run.run_type }}', 'scheduled'],
  ['{{ task_instance_key_str }}', 'example__report__20260304'],
  ['{{ params.n }}', '5'],
  ['{{ params.nested.k }}', 'v'],
  ["{{ params.get('absent', 'dflt') }}", 'dflt'],
  ['{{ var.value.bucket }}', 's3://data'],
  ["{{ var.value.get('absent', 'none') }}", 'none'],
  ['{{ var.json.settings.retries }}', '3'],
  ['{{ conn.warehouse.host }}', 'db.example.com'],
  ['{{ conn.warehouse.port }}', '5432'],
  ['{{ conn.warehouse.login }}', 'etl'],
  ['{{ conn.warehouse.password }}', 'pw'],
  ['{{ conn.warehouse.schema }}', 'analytics'],
  ['{{ conn.warehouse.extra_dejson.sslmode }}', 'require'],
  ['{{ ti.try_number }}', '2'],
  ['{{ ti.task_id }}', 'report'],
  ["{{ ti.xcom_pull('extract') }}", '42'],
  ["{{ ti.xcom_pull(task_ids='extract', key='rows') | join(',') }}", '1,2'],
  ['{{ task_instance.dag_id }}', 'example'],
  ['{{ ti }}', '<TaskInstance: example.report scheduled__2026-03-04T00:00:00+00:00 [running]>'],
  ['{{ macros.ds_add(ds, 5) }}', '2026-03-09'],
  ['{{ macros.ds_add(ds, -4) }}', '2026-02-28'],
  ["{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}", '04/03/2026'],
  ["{{ macros.ds_format(ds_nodash, '%Y%m%d', '%Y-%m-%d') }}", '2026-03-04'],
];

describe('the template context against Airflow, for the run of 2026-03-04', () => {
  it.each(CASES)('%s renders %s', (template, airflow) => {
    expect(render(template)).toBe(airflow);
  });

  it.each([
    ['{{ nope }}', "'nope' is undefined"],
    ['{{ params.missing }}', "'params.missing' is undefined"],
    ['{{ params.nested.gone }}', "'params.nested.gone' is undefined"],
    ['{{ dag_run.confx }}', "'dag_run.confx' is undefined"],
    ['{{ macros.ds_sub(ds, 1) }}', "'macros.ds_sub' is undefined"],
    ['{{ var.value.absent }}', "Variable 'absent' does not exist"],
    ['{{ conn.elsewhere.host }}', "connection 'elsewhere' is not defined"],
    ['{{ conn.warehouse.hots }}', "'conn.warehouse.hots' is undefined"],
  ])('%s fails naming the field and the name', (template, reason) => {
    expect(() => render(template)).toThrow(`template error in field 'bash_command': ${reason}`);
  });

  it("renders unknown names empty with templateUndefined: 'empty', as Airflow's default", () => {
    expect(render('[{{ nope }}][{{ params.missing }}][{{ ds }}]', 'empty')).toBe('[][][2026-03-04]');
  });

  it('lets loops and set variables through in strict mode', () => {
    expect(render('{% set x = 2 %}{% for i in range(x) %}{{ i }}{% endfor %}{{ x }}')).toBe('012');
  });

  it('without a connection source, conn fails saying none are available', () => {
    const context = buildTemplateContext({ workload, params: {}, variables: null, xcomPull: () => undefined });
    expect(() => renderTemplatedFields({ sql: '{{ conn.warehouse.host }}' }, context)).toThrow(
      "template error in field 'sql': connection 'warehouse' cannot be read: no connections are available here",
    );
  });
});
