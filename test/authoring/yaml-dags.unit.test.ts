import { loadYamlDags } from '../../src/authoring/yaml-dags';
import { BashOperator } from '../../src/authoring/operators/bash-operator';

const FILE = '/dags/etl.yaml';

describe('loadYamlDags', () => {
  test("the contract's example", () => {
    const [dag] = loadYamlDags(
      [
        'dag_id: etl',
        'schedule: "@daily"',
        'start_date: 2026-01-01',
        'tasks:',
        '  extract: { operator: bash, bash_command: "echo extracting {{ ds }}" }',
        '  load:    { operator: bash, bash_command: "echo loading", upstream: [extract], trigger_rule: all_success }',
      ].join('\n'),
      FILE,
    );
    expect(dag.dagId).toBe('etl');
    expect(dag.scheduleSpec).toEqual({ kind: 'cron', expression: '0 0 * * *', timezone: 'UTC' });
    expect(dag.startDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(dag.catchup).toBe(false);
    expect(dag.taskIds).toEqual(['extract', 'load']);
    const load = dag.getTask('load') as BashOperator;
    expect(load.operatorName).toBe('BashOperator');
    expect(load.bashCommand).toBe('echo loading');
    expect([...load.upstreamTaskIds]).toEqual(['extract']);
    expect(() => dag.validate()).not.toThrow();
  });

  test('every DAG and task key in snake_case', () => {
    const [dag] = loadYamlDags(
      `
dag_id: full
description: all keys
schedule: { every: 1h }
start_date: 2026-01-01T06:00:00
end_date: "2026-12-31T00:00:00Z"
catchup: true
tags: [a, b]
params: { x: 1 }
default_args: { retries: 2, retry_delay: 30s, queue: etl, owner: ops }
max_active_runs: 2
max_active_tasks: 3
dagrun_timeout: 2h
timezone: Europe/Paris
doc_md: "# Full"
tasks:
  first:
    operator: empty
  second:
    operator: bash
    bash_command: echo hi
    env: { A: "1" }
    append_env: false
    cwd: /tmp
    upstream: first
    trigger_rule: all_done
    retries: 5
    retry_delay: 1m
    retry_exponential_backoff: true
    max_retry_delay: 1h
    execution_timeout: 10m
    pool: p
    pool_slots: 2
    priority_weight: 9
    weight_rule: absolute
    queue: q
    depends_on_past: true
    doc: the second
`,
      FILE,
    );
    expect(dag).toMatchObject({
      description: 'all keys',
      catchup: true,
      tags: ['a', 'b'],
      params: { x: 1 },
      maxActiveRuns: 2,
      maxActiveTasks: 3,
      dagrunTimeoutMs: 7_200_000,
      timezone: 'Europe/Paris',
      docMd: '# Full',
      owner: 'ops',
    });
    expect(dag.scheduleSpec).toEqual({ kind: 'interval', everyMs: 3_600_000 });
    expect(dag.startDate?.toISOString()).toBe('2026-01-01T05:00:00.000Z');
    expect(dag.endDate?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(dag.getTask('first')).toMatchObject({
      operatorName: 'EmptyOperator',
      retries: 2,
      retryDelayMs: 30_000,
      queue: 'etl',
      owner: 'ops',
    });
    expect(dag.getTask('second')).toMatchObject({
      bashCommand: 'echo hi',
      env: { A: '1' },
      appendEnv: false,
      cwd: '/tmp',
      triggerRule: 'all_done',
      retries: 5,
      retryDelayMs: 60_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 3_600_000,
      executionTimeoutMs: 600_000,
      pool: 'p',
      poolSlots: 2,
      priorityWeight: 9,
      weightRule: 'absolute',
      queue: 'q',
      dependsOnPast: true,
      doc: 'the second',
    });
    expect([...dag.getTask('second').upstreamTaskIds]).toEqual(['first']);
  });

  test('dates that arrive as Date objects are accepted', () => {
    // YAML 1.1 timestamps become Date objects
    const text = '%YAML 1.1\n---\ndag_id: dated\nstart_date: 2026-03-01\ntasks: {}\n';
    const [dag] = loadYamlDags(text, FILE);
    expect(dag.startDate?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  test('{ dags: [...] } defines several DAGs; an empty file defines none', () => {
    const dags = loadYamlDags('dags:\n  - dag_id: one\n    tasks: { a: { operator: empty } }\n  - dag_id: two\n', FILE);
    expect(dags.map((d) => d.dagId)).toEqual(['one', 'two']);
    expect(loadYamlDags('', FILE)).toEqual([]);
    expect(loadYamlDags('# only a comment\n', FILE)).toEqual([]);
  });

  test.each([
    ['invalid YAML', 'dag_id: x\ntasks: [a\n', `${FILE}: invalid YAML at line`],
    ['not a mapping', '- a\n- b\n', `${FILE}: a YAML DAG file must hold a mapping`],
    ['missing dag_id', 'tasks: {}\n', `${FILE}: top level: missing 'dag_id'`],
    [
      'unknown DAG key',
      'dag_id: x\nschedul: "@daily"\n',
      `${FILE}: DAG 'x': unknown key 'schedul' (did you mean 'schedule'?)`,
    ],
    ['unknown top key next to dags', 'dags: []\nextra: 1\n', `${FILE}: unknown top-level key 'extra' next to 'dags'`],
    ['dags not a list', 'dags: {}\n', `${FILE}: 'dags' must be a list of DAGs`],
    [
      'unknown default_args key',
      'dag_id: x\ndefault_args: { retrys: 1 }\n',
      `${FILE}: DAG 'x': default_args: unknown key 'retrys' (did you mean 'retries'?)`,
    ],
    ['tasks not a mapping', 'dag_id: x\ntasks: [a]\n', `${FILE}: DAG 'x': 'tasks' must be a mapping`],
    ['task not a mapping', 'dag_id: x\ntasks: { a: 1 }\n', `${FILE}: DAG 'x', task 'a': a task must be a mapping`],
    [
      'missing operator',
      'dag_id: x\ntasks: { a: {} }\n',
      `${FILE}: DAG 'x', task 'a': missing key 'operator' (use bash or empty)`,
    ],
    [
      'unknown operator',
      'dag_id: x\ntasks: { a: { operator: bsh } }\n',
      `${FILE}: DAG 'x', task 'a': unknown operator 'bsh' (did you mean 'bash'?)`,
    ],
    [
      'unknown task key',
      'dag_id: x\ntasks: { a: { operator: bash, bash_comand: ls } }\n',
      `${FILE}: DAG 'x', task 'a': unknown key 'bash_comand' for operator bash (did you mean 'bash_command'?)`,
    ],
    [
      'bash key on empty',
      'dag_id: x\ntasks: { a: { operator: empty, bash_command: ls } }\n',
      `${FILE}: DAG 'x', task 'a': unknown key 'bash_command' for operator empty`,
    ],
    [
      'unknown upstream',
      'dag_id: x\ntasks: { a: { operator: empty, upstream: [b] } }\n',
      `${FILE}: DAG 'x', task 'a': upstream task 'b' does not exist`,
    ],
    [
      'bad upstream',
      'dag_id: x\ntasks: { a: { operator: empty, upstream: { b: 1 } } }\n',
      `${FILE}: DAG 'x', task 'a': 'upstream' must be a list of task ids`,
    ],
    [
      'bad trigger rule',
      'dag_id: x\ntasks: { a: { operator: empty, trigger_rule: sometimes } }\n',
      `${FILE}: DAG 'x', task 'a': unknown trigger rule 'sometimes'`,
    ],
    [
      'bad value',
      'dag_id: x\ntasks: { a: { operator: empty, pool_slots: 0 } }\n',
      `${FILE}: DAG 'x', task 'a': key 'pool_slots' must be an integer >= 1`,
    ],
    [
      'missing bash_command',
      'dag_id: x\ntasks: { a: { operator: bash } }\n',
      `${FILE}: DAG 'x', task 'a': key 'bash_command' must be a non-empty string`,
    ],
    ['bad schedule', 'dag_id: x\nschedule: "99 * * * *"\n', `${FILE}: DAG 'x': invalid cron expression '99 * * * *'`],
    ['bad date', 'dag_id: x\nstart_date: someday\n', `${FILE}: DAG 'x': invalid startDate 'someday'`],
    [
      'duplicate task key',
      'dag_id: x\ntasks:\n  a: { operator: empty }\n  a: { operator: empty }\n',
      `${FILE}: invalid YAML at line 4`,
    ],
  ])('%s → one-line error naming file, DAG and key', (_label, text, message) => {
    let error: Error | undefined;
    try {
      loadYamlDags(text, FILE);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message.slice(0, message.length)).toBe(message);
    expect(error?.message).not.toContain('\n');
  });
});
