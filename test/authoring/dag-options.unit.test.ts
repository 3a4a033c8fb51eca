import { DAG } from '../../src/authoring/dag';
import { DagDefinitionError } from '../../src/core/errors';

describe('DAG options', () => {
  test('defaults follow Airflow (catchup false, 16/16, UTC, no schedule)', () => {
    const dag = new DAG('defaults');
    expect(dag.dagId).toBe('defaults');
    expect(dag.catchup).toBe(false);
    expect(dag.maxActiveRuns).toBe(16);
    expect(dag.maxActiveTasks).toBe(16);
    expect(dag.timezone).toBe('UTC');
    expect(dag.schedule).toBeNull();
    expect(dag.scheduleSpec).toEqual({ kind: 'none' });
    expect(dag.startDate).toBeNull();
    expect(dag.endDate).toBeNull();
    expect(dag.tags).toEqual([]);
    expect(dag.params).toEqual({});
    expect(dag.owner).toBe('airflow');
    expect(dag.description).toBeNull();
    expect(dag.fileloc).toBe('');
    expect(dag.tasks.size).toBe(0);
  });

  test('every option is kept, durations and dates normalized', () => {
    const dag = new DAG('all_options', {
      description: 'd',
      schedule: '@hourly',
      startDate: '2026-01-01T00:00:00Z',
      endDate: new Date('2026-12-31T00:00:00Z'),
      catchup: true,
      defaultArgs: { retries: 2 },
      maxActiveRuns: 1,
      maxActiveTasks: 4,
      dagrunTimeout: '1h',
      tags: ['a', 'b', 'a'],
      params: { x: 1 },
      timezone: 'Europe/Paris',
      docMd: '# doc',
      owner: 'data-team',
    });
    expect(dag.scheduleSpec).toEqual({ kind: 'cron', expression: '0 * * * *', timezone: 'Europe/Paris' });
    expect(dag.startDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(dag.endDate?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(dag.catchup).toBe(true);
    expect(dag.defaultArgs).toEqual({ retries: 2 });
    expect(dag.maxActiveRuns).toBe(1);
    expect(dag.maxActiveTasks).toBe(4);
    expect(dag.dagrunTimeoutMs).toBe(3_600_000);
    expect(dag.tags).toEqual(['a', 'b']);
    expect(dag.params).toEqual({ x: 1 });
    expect(dag.docMd).toBe('# doc');
    expect(dag.owner).toBe('data-team');
  });

  test('owner falls back to defaultArgs.owner', () => {
    expect(new DAG('o', { defaultArgs: { owner: 'ops' } }).owner).toBe('ops');
  });

  test('a date without a zone is wall-clock time in the DAG timezone', () => {
    expect(new DAG('naive_utc', { startDate: '2026-01-01' }).startDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new DAG('naive_paris', { startDate: '2026-01-01', timezone: 'Europe/Paris' }).startDate?.toISOString()).toBe(
      '2025-12-31T23:00:00.000Z',
    );
    expect(
      new DAG('naive_ny', { startDate: '2026-07-01T06:30', timezone: 'America/New_York' }).startDate?.toISOString(),
    ).toBe('2026-07-01T10:30:00.000Z');
    expect(
      new DAG('zoned', { startDate: '2026-01-01T00:00:00+02:00', timezone: 'Europe/Paris' }).startDate?.toISOString(),
    ).toBe('2025-12-31T22:00:00.000Z');
  });

  test.each([
    ['empty', '', 'invalid dag_id "": must be a non-empty string'],
    ['with a space', 'has space', `invalid dag_id "has space": may contain only letters, digits, '-', '.' and '_'`],
    ['too long', 'x'.repeat(251), 'must be at most 250 characters'],
  ])('a dag_id that is %s is rejected', (_label, id, message) => {
    expect(() => new DAG(id)).toThrow(message);
  });

  test('dag_id may use letters, digits, dash, dot, underscore', () => {
    expect(new DAG('a-B.c_9').dagId).toBe('a-B.c_9');
    expect(new DAG('x'.repeat(250)).dagId).toHaveLength(250);
  });

  test('an unknown option names the DAG and the option, with a hint', () => {
    const create = (): DAG => new DAG('typo', { schedul: '@daily' } as never);
    expect(create).toThrow(DagDefinitionError);
    expect(create).toThrow("DAG 'typo': unknown option 'schedul' (did you mean 'schedule'?)");
  });

  test('an invalid date is an error naming the DAG', () => {
    expect(() => new DAG('bad_date', { startDate: 'yesterday' })).toThrow(
      "DAG 'bad_date': invalid startDate 'yesterday'",
    );
    expect(() => new DAG('bad_date2', { endDate: '2026-02-30' })).toThrow(
      "DAG 'bad_date2': invalid endDate '2026-02-30'",
    );
    expect(() => new DAG('bad_date3', { startDate: new Date('nope') })).toThrow("DAG 'bad_date3': invalid startDate");
  });

  test('startDate after endDate is an error', () => {
    expect(() => new DAG('order', { startDate: '2026-02-01T00:00:00Z', endDate: '2026-01-01T00:00:00Z' })).toThrow(
      "DAG 'order': startDate 2026-02-01T00:00:00.000Z is after endDate 2026-01-01T00:00:00.000Z",
    );
  });

  test('invalid schedule, timezone and numbers are errors naming the DAG', () => {
    expect(() => new DAG('cron', { schedule: '61 * * * *' })).toThrow(
      "DAG 'cron': invalid cron expression '61 * * * *'",
    );
    expect(() => new DAG('preset', { schedule: '@sometimes' })).toThrow(
      "DAG 'preset': unknown schedule preset '@sometimes'",
    );
    expect(() => new DAG('tz', { timezone: 'Mars/Olympus' })).toThrow("DAG 'tz': unknown timezone 'Mars/Olympus'");
    expect(() => new DAG('runs', { maxActiveRuns: 0 })).toThrow(
      "DAG 'runs': option 'maxActiveRuns' must be an integer >= 1, got 0",
    );
    expect(() => new DAG('timeout', { dagrunTimeout: 'soon' })).toThrow(
      "DAG 'timeout': dagrunTimeout: cannot parse 'soon'",
    );
    expect(() => new DAG('tags', { tags: 'a' as never })).toThrow(
      "DAG 'tags': option 'tags' must be an array of strings",
    );
    expect(() => new DAG('args', { defaultArgs: { taskId: 'x' } })).toThrow(
      "DAG 'args': option 'defaultArgs' must not set 'taskId'",
    );
  });

  test('schedule forms: cron, presets, @once, { every }, null', () => {
    expect(new DAG('s1', { schedule: '*/5 * * * *' }).scheduleSpec).toEqual({
      kind: 'cron',
      expression: '*/5 * * * *',
      timezone: 'UTC',
    });
    expect(new DAG('s2', { schedule: '@daily' }).scheduleSpec).toEqual({
      kind: 'cron',
      expression: '0 0 * * *',
      timezone: 'UTC',
    });
    expect(new DAG('s3', { schedule: '@once' }).scheduleSpec).toEqual({ kind: 'once' });
    expect(new DAG('s4', { schedule: { every: '30m' } }).scheduleSpec).toEqual({
      kind: 'interval',
      everyMs: 1_800_000,
    });
    expect(new DAG('s5', { schedule: null }).scheduleSpec).toEqual({ kind: 'none' });
  });

  test('getTask throws for an unknown task', () => {
    expect(() => new DAG('empty').getTask('nope')).toThrow("DAG 'empty' has no task 'nope'");
  });

  test('an empty DAG is valid', () => {
    expect(() => new DAG('empty_ok').validate()).not.toThrow();
  });
});
