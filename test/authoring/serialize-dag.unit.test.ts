import { DAG } from '../../src/authoring/dag';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { BashOperator } from '../../src/authoring/operators/bash-operator';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { FunctionOperator } from '../../src/authoring/operators/function-operator';
import { FunctionSensor } from '../../src/authoring/operators/function-sensor';

function buildDag(paramsOrder: 'ab' | 'ba'): DAG {
  const params = paramsOrder === 'ab' ? { a: 1, b: { y: 2, x: 1 } } : { b: { x: 1, y: 2 }, a: 1 };
  const dag = new DAG('shape', {
    description: 'desc',
    schedule: { every: '30m' },
    startDate: '2026-01-01T00:00:00Z',
    endDate: '2026-06-01T00:00:00Z',
    params,
    tags: ['t1'],
    dagrunTimeout: '2h',
    docMd: 'doc',
    defaultArgs: { retries: 1 },
  });
  const start = new EmptyOperator({ taskId: 'start', dag });
  const wait = new FunctionSensor({
    taskId: 'wait',
    fn: function isReady() {
      return true;
    },
    pokeInterval: '10s',
    timeout: '5m',
    mode: 'reschedule',
    dag,
  });
  const bash = new BashOperator({
    taskId: 'bash',
    bashCommand: 'echo {{ ds }}',
    env: { Z: '1', A: '{{ params.a }}' },
    executionTimeout: '10m',
    doc: 'runs bash',
    dag,
  });
  const fn = new FunctionOperator({
    taskId: 'fn',
    fn: function compute() {
      return 1;
    },
    args: { callback: function helper() {}, when: new Date('2026-01-01T00:00:00Z') },
    triggerRule: 'all_done',
    dag,
  });
  start.then([wait, bash]);
  fn.setUpstream([bash, wait]);
  dag.fileloc = '/dags/shape.ts';
  return dag;
}

describe('serializeDag', () => {
  test('shape: DAG fields, tasks in topological order with sorted links', () => {
    const serialized = serializeDag(buildDag('ab'));
    expect(serialized).toMatchObject({
      formatVersion: 1,
      dagId: 'shape',
      description: 'desc',
      fileloc: '/dags/shape.ts',
      schedule: { kind: 'interval', everyMs: 1_800_000 },
      scheduleText: 'every 30m',
      startDate: '2026-01-01T00:00:00.000Z',
      endDate: '2026-06-01T00:00:00.000Z',
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      dagrunTimeoutMs: 7_200_000,
      tags: ['t1'],
      owner: 'airflow',
      params: { a: 1, b: { x: 1, y: 2 } },
      docMd: 'doc',
    });
    expect(serialized.tasks.map((t) => t.taskId)).toEqual(['start', 'wait', 'bash', 'fn']);
    const [start, wait, bash, fn] = serialized.tasks;
    expect(start).toEqual({
      taskId: 'start',
      operator: 'EmptyOperator',
      upstream: [],
      downstream: ['bash', 'wait'],
      triggerRule: 'all_success',
      retries: 1,
      retryDelayMs: 300_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: null,
      executionTimeoutMs: null,
      pool: 'default_pool',
      poolSlots: 1,
      priorityWeight: 1,
      weightRule: 'downstream',
      queue: 'default',
      dependsOnPast: false,
      templateFields: {},
    });
    expect(wait.sensor).toEqual({ pokeIntervalMs: 10_000, timeoutMs: 300_000, mode: 'reschedule', softFail: false });
    expect(wait.operator).toBe('FunctionSensor');
    expect(bash).toMatchObject({
      operator: 'BashOperator',
      executionTimeoutMs: 600_000,
      doc: 'runs bash',
      upstream: ['start'],
      downstream: ['fn'],
    });
    expect(bash.templateFields).toEqual({ bashCommand: 'echo {{ ds }}', env: { A: '{{ params.a }}', Z: '1' } });
    expect(bash.sensor).toBeUndefined();
    expect(fn).toMatchObject({ upstream: ['bash', 'wait'], triggerRule: 'all_done' });
    expect(fn.templateFields).toEqual({ args: { callback: '<function helper>', when: '2026-01-01T00:00:00.000Z' } });
  });

  test('deterministic: the same DAG gives identical JSON, whatever the key order', () => {
    const first = JSON.stringify(serializeDag(buildDag('ab')));
    const second = JSON.stringify(serializeDag(buildDag('ba')));
    expect(second).toBe(first);
    expect(JSON.parse(first)).toEqual(serializeDag(buildDag('ab')));
  });

  test('schedules: cron text and spec, none', () => {
    const cron = serializeDag(new DAG('cron', { schedule: '@daily', timezone: 'Europe/Paris' }));
    expect(cron.schedule).toEqual({ kind: 'cron', expression: '0 0 * * *', timezone: 'Europe/Paris' });
    expect(cron.scheduleText).toBe('@daily');
    const none = serializeDag(new DAG('none'));
    expect(none.schedule).toEqual({ kind: 'none' });
    expect(none.scheduleText).toBeNull();
    expect(none.tasks).toEqual([]);
  });

  test('a cycle cannot be serialized', () => {
    const dag = new DAG('cyclic');
    const a = new EmptyOperator({ taskId: 'a', dag });
    const b = new EmptyOperator({ taskId: 'b', dag });
    a.then(b).then(a);
    expect(() => serializeDag(dag)).toThrow("DAG 'cyclic': cycle a → b → a");
  });
});
