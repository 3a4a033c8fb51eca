import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

const ETL = `dag_id: etl
schedule: "@daily"
start_date: 2026-01-01
tasks:
  extract: { operator: bash, bash_command: "echo extracting {{ ds }}" }
  transform: { operator: bash, bash_command: "echo transforming", upstream: [extract] }
  load: { operator: bash, bash_command: "echo loaded {{ dag_run.conf.target }}", upstream: [transform] }
  audit: { operator: bash, bash_command: "echo audit", upstream: [extract] }
`;
const FLAKY = `dag_id: always_fails
schedule: null
start_date: 2026-01-01
tasks:
  boom: { operator: bash, bash_command: "echo about to fail; exit 3" }
`;

/** A template naming a param the DAG does not have. */
const TYPO = `dag_id: typo
schedule: null
start_date: 2026-01-01
tasks:
  say: { operator: bash, bash_command: "echo {{ params.whom }}" }
`;

jest.setTimeout(300_000);

describe('dagctl dags and tasks (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    cli.writeDag('etl.yaml', ETL);
    cli.writeDag('always_fails.yaml', FLAKY);
    cli.writeDag('broken.yaml', 'dag_id: [unclosed\n');
    await cli.ok(['initdb']);
    await cli.ok(['dags', 'reserialize']);
  });
  afterAll(async () => cli.close());

  it('dags list prints the parsed DAGs in the contract shape; import errors are listed', async () => {
    const result = await cli.run(['dags', 'list', '-o', 'json']);
    expect(result.code).toBe(0);
    const dags = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(dags.map((d) => d.dag_id)).toEqual(['always_fails', 'etl']);
    expect(dags[1]).toMatchObject({
      dag_id: 'etl',
      is_paused: false,
      fileloc: path.join(cli.home, 'dags', 'etl.yaml'),
      schedule: expect.any(String),
    });
    expect(dags[1]).toHaveProperty('next_dagrun');
    expect(result.stderr).toMatch(/1 DAG file\(s\) failed to import/);

    const errors = await cli.json<Array<{ filename: string; error: string }>>(['dags', 'list-import-errors']);
    expect(errors).toEqual([
      {
        filename: path.join(cli.home, 'dags', 'broken.yaml'),
        error: expect.any(String),
        timestamp: expect.any(String),
      },
    ]);
    expect(errors[0].error.length).toBeGreaterThan(0);
    expect(await cli.ok(['dags', 'list'])).toMatch(/^dag_id\s+\| fileloc/);
  });

  it('pause and unpause, with unknown DAGs exiting 1', async () => {
    expect(await cli.ok(['dags', 'pause', 'etl'])).toBe("DAG 'etl' paused\n");
    expect(
      (await cli.json<Array<{ dag_id: string; is_paused: boolean }>>(['dags', 'list'])).find((d) => d.dag_id === 'etl')
        ?.is_paused,
    ).toBe(true);
    expect(await cli.json(['dags', 'unpause', 'etl'])).toEqual({
      dag_id: 'etl',
      is_paused: false,
      is_draining: false,
      changed: true,
    });
    expectCliError(await cli.run(['dags', 'pause', 'nope']), 1, /^error: DAG 'nope' not found$/);
  });

  it('shows the graph, the tasks and the next executions', async () => {
    expect(await cli.ok(['dags', 'show', 'etl'])).toBe(
      [
        'DAG etl (schedule @daily)',
        'extract [BashOperator]',
        '├── audit [BashOperator]',
        '└── transform [BashOperator]',
        '    └── load [BashOperator]',
        '',
      ].join('\n'),
    );
    expect((await cli.ok(['dags', 'show', 'etl', '-o', 'plain'])).split('\n')).toEqual(
      expect.arrayContaining(['extract -> transform', 'transform -> load']),
    );
    const tasks = (await cli.ok(['tasks', 'list', 'etl'])).trim().split('\n');
    expect([...tasks].sort()).toEqual(['audit', 'extract', 'load', 'transform']);
    expect(tasks.indexOf('extract')).toBeLessThan(tasks.indexOf('transform'));
    expect(tasks.indexOf('transform')).toBeLessThan(tasks.indexOf('load'));
    const next = await cli.json<Array<{ logical_date: string; data_interval_end: string }>>([
      'dags',
      'next-execution',
      'etl',
      '-n',
      '3',
    ]);
    expect(next).toHaveLength(3);
    expect(Date.parse(next[1].logical_date) - Date.parse(next[0].logical_date)).toBe(86_400_000);
    expect((await cli.ok(['dags', 'next-execution', 'always_fails'])).trim()).toBe('None');
    expectCliError(await cli.run(['dags', 'show', 'nope']), 1, /DAG 'nope' not found/);
  });

  it('trigger validates its input and creates runs listed in the contract shape', async () => {
    expectCliError(await cli.run(['trigger', 'etl', '-c', '{not json']), 2, /invalid --conf JSON/);
    expectCliError(await cli.run(['trigger', 'etl', '-c', '[1]']), 2, /expected an object/);
    expectCliError(await cli.run(['trigger', 'etl', '-e', 'yesterday']), 2, /invalid logical date 'yesterday'/);
    expectCliError(await cli.run(['trigger', 'nope']), 1, /^error: DAG 'nope' not found$/);
    expect(await cli.ok(['trigger', 'etl', '-r', 'manual_1', '-e', '2026-01-05', '-c', '{"target":"dw"}'])).toMatch(
      /Created DAG run manual_1 of DAG etl/,
    );
    const viaDags = await cli.json<Record<string, unknown>>([
      'dags',
      'trigger',
      'etl',
      '-r',
      'manual_2',
      '-e',
      '2026-01-06T00:00:00Z',
    ]);
    expect(viaDags).toMatchObject({
      dag_id: 'etl',
      run_id: 'manual_2',
      state: 'queued',
      run_type: 'manual',
      logical_date: '2026-01-06T00:00:00.000Z',
    });
    expect((await cli.run(['trigger', 'etl', '-r', 'manual_1'])).code).not.toBe(0);

    const runs = await cli.json<Array<Record<string, unknown>>>(['dags', 'list-runs', '-d', 'etl']);
    expect(runs.map((r) => r.run_id)).toEqual(['manual_2', 'manual_1']);
    for (const run of runs)
      expect(Object.keys(run)).toEqual(
        expect.arrayContaining(['dag_id', 'run_id', 'state', 'run_type', 'logical_date', 'start_date', 'end_date']),
      );
    expectCliError(await cli.run(['dags', 'list-runs', '-d', 'nope']), 1, /DAG 'nope' not found/);
  });

  it('tasks run records one try, tasks clear resets it, states-for-dag-run shows it', async () => {
    await cli.ok(['trigger', 'etl', '-r', 'run_tasks', '-e', '2026-01-10', '-c', '{"target":"lake"}']);
    const ran = await cli.run(['tasks', 'run', 'etl', 'extract', 'run_tasks']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('extracting 2026-01-10');
    expect(ran.stdout).toMatch(/try 1: success; state now success/);
    expect(
      fs.existsSync(path.join(cli.home, 'logs', 'dag_id=etl', 'run_id=run_tasks', 'task_id=extract', 'attempt=1.log')),
    ).toBe(true);
    expectCliError(await cli.run(['tasks', 'run', 'etl', 'extract', 'run_tasks']), 1, /it is success/);
    expectCliError(
      await cli.run(['tasks', 'run', 'etl', 'extract', 'no_such_run']),
      1,
      /DAG run 'no_such_run' of DAG 'etl' not found/,
    );

    const states = await cli.json<Array<Record<string, unknown>>>(['tasks', 'states-for-dag-run', 'etl', 'run_tasks']);
    expect(states).toEqual([
      expect.objectContaining({
        dag_id: 'etl',
        run_id: 'run_tasks',
        task_id: 'extract',
        state: 'success',
        try_number: 1,
        start_date: expect.any(String),
        end_date: expect.any(String),
      }),
    ]);
    expectCliError(
      await cli.run(['tasks', 'states-for-dag-run', 'etl', 'nope']),
      1,
      /DAG run 'nope' of DAG 'etl' not found/,
    );

    const dry = await cli.run(['tasks', 'clear', 'etl', '-t', '^extract$']);
    expectCliError(dry, 2, /would clear 1 task instance\(s\): pass --yes/);
    const cleared = await cli.json<{ cleared_count: number }>([
      'tasks',
      'clear',
      'etl',
      '-t',
      '^extract$',
      '--downstream',
      '--yes',
    ]);
    expect(cleared.cleared_count).toBe(1);
    expect(
      (
        await cli.json<Array<{ state: string | null; try_number: number }>>([
          'tasks',
          'states-for-dag-run',
          'etl',
          'run_tasks',
        ])
      )[0],
    ).toMatchObject({ state: null, try_number: 1 });
    expect(await cli.ok(['tasks', 'run', 'etl', 'extract', 'run_tasks'])).toMatch(/try 2: success/);
    expectCliError(await cli.run(['tasks', 'clear', 'etl', '-t', '(', '--yes']), 2, /invalid task regex/);
  });

  it('tasks test runs a task without recording anything', async () => {
    const result = await cli.run(['tasks', 'test', 'etl', 'extract', '2026-03-04']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('extracting 2026-03-04');
    expect(result.stdout).toMatch(/Task etl.extract: success/);
    expect(await cli.json(['dags', 'list-runs', '-d', 'always_fails'])).toEqual([]);
    const failed = await cli.run(['tasks', 'test', 'always_fails', 'boom']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed/);
    expectCliError(await cli.run(['tasks', 'test', 'etl', 'nope']), 1, /task 'nope' not found in DAG 'etl'/);
  });

  it('backfill records a backfill for the scheduler; --dry-run lists its intervals and records nothing', async () => {
    expectCliError(
      await cli.run(['dags', 'backfill', 'etl', '-s', '2025-13-01', '-e', '2026-01-01']),
      2,
      /invalid start date/,
    );
    const dry = await cli.json<{ dry_run: boolean; intervals: Array<Record<string, unknown>> }>([
      'dags',
      'backfill',
      'etl',
      '-s',
      '2026-02-01',
      '-e',
      '2026-02-03',
      '--dry-run',
    ]);
    expect(dry.intervals).toEqual(
      ['01', '02', '03'].map((d, i) => ({
        logical_date: `2026-02-${d}T00:00:00.000Z`,
        data_interval_start: `2026-02-${d}T00:00:00.000Z`,
        data_interval_end: `2026-02-0${i + 2}T00:00:00.000Z`,
        action: 'create',
        existing_run_id: null,
      })),
    );
    expect(await cli.json(['backfill', 'list'])).toEqual([]);
    const recorded = await cli.json<Record<string, unknown>>([
      'dags',
      'backfill',
      'etl',
      '-s',
      '2026-02-01',
      '-e',
      '2026-02-03',
      '--reverse',
      '--max-active-runs',
      '2',
    ]);
    expect(recorded).toMatchObject({
      dag_id: 'etl',
      run_backwards: true,
      max_active_runs: 2,
      total_intervals: 3,
      pending_intervals: 3,
      completed_at: null,
    });
    // No scheduler runs here: the backfill is recorded, its runs are not created by the CLI.
    const runs = await cli.json<Array<{ run_type: string }>>(['dags', 'list-runs', '-d', 'etl']);
    expect(runs.filter((r) => r.run_type === 'backfill')).toEqual([]);
    expectCliError(
      await cli.run(['dags', 'backfill', 'etl', '-s', '2026-02-03', '-e', '2026-02-04']),
      1,
      /already has a backfill in progress/,
    );
    const cancelled = await cli.json<Record<string, unknown>>(['backfill', 'cancel', String(recorded.id)]);
    expect(cancelled).toMatchObject({ cancelled: true });
    expectCliError(await cli.run(['backfill', 'pause', 'x']), 2, /backfill id/);
    expectCliError(
      await cli.run(['dags', 'backfill', 'always_fails', '-s', '2026-02-01', '-e', '2026-02-03']),
      1,
      /has no schedule/,
    );
  });

  it('dags test runs a whole DAG in-process: exit 0 on success, 1 on failure', async () => {
    // load templates dag_run.conf.target: without it the strict template would fail the task.
    const ok = await cli.run(['dags', 'test', 'etl', '2026-04-01', '-c', '{"target":"dw"}', '-o', 'json']);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as {
      dag_id: string;
      run_id: string;
      state: string;
      task_instances: Array<{ task_id: string; state: string; try_number: number }>;
    };
    expect(result).toMatchObject({ dag_id: 'etl', state: 'success' });
    expect(result.task_instances.map((ti) => [ti.task_id, ti.state]).sort()).toEqual([
      ['audit', 'success'],
      ['extract', 'success'],
      ['load', 'success'],
      ['transform', 'success'],
    ]);
    const bad = await cli.run(['dags', 'test', 'always_fails', '-o', 'json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      dag_id: 'always_fails',
      state: 'failed',
      task_instances: [{ task_id: 'boom', state: 'failed' }],
    });
  });

  it('tasks render prints the rendered fields for a date or a run; a template error exits 1', async () => {
    const forDate = await cli.ok(['tasks', 'render', 'etl', 'extract', '2026-05-01']);
    expect(forDate).toMatch(/^# -+\n# property: bashCommand\n# -+\necho extracting 2026-05-01\n/);
    await cli.ok(['trigger', 'etl', '-r', 'render_run', '-e', '2026-05-02', '-c', '{"target":"warehouse"}']);
    expect(await cli.json(['tasks', 'render', 'etl', 'load', 'render_run'])).toEqual({
      bashCommand: 'echo loaded warehouse',
    });
    expect(await cli.json(['tasks', 'render', 'etl', 'extract', 'render_run'])).toEqual({
      bashCommand: 'echo extracting 2026-05-02',
    });

    cli.writeDag('typo.yaml', TYPO);
    expectCliError(
      await cli.run(['tasks', 'render', 'typo', 'say', '2026-05-01']),
      1,
      /template error in field 'bashCommand': 'params\.whom' is undefined/,
    );
    expectCliError(
      await cli.run(['tasks', 'render', 'etl', 'extract', 'no_such_run']),
      2,
      /invalid run id or logical date 'no_such_run'/,
    );
    expectCliError(await cli.run(['tasks', 'render', 'etl', 'nope', '2026-05-01']), 1, /task 'nope' not found/);
  });
});

describe('dagctl commands that list and show DAGs never import a DAG file (built binary)', () => {
  let cli: CliHome;
  let marker: string;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    marker = path.join(cli.home, 'imported.marker');
    cli.writeDag('etl.yaml', ETL);
    // Leaves a mark each time it is imported: the listing commands must leave none.
    cli.writeDag(
      'marked.ts',
      [
        "import { writeFileSync } from 'node:fs';",
        "import { DAG, EmptyOperator } from 'dagctl';",
        `writeFileSync(${JSON.stringify(marker)}, 'imported');`,
        "const dag = new DAG('marked', { schedule: null, startDate: '2026-01-01T00:00:00Z' });",
        "new EmptyOperator({ taskId: 'only', dag });",
        'export default dag;',
        '',
      ].join('\n'),
    );
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  it('reads the database only; dags reserialize parses on demand', async () => {
    const before = await cli.run(['dags', 'list', '-o', 'json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual([]);
    expect(before.stderr).toMatch(/no DAG parsed yet: .*dagctl dags reserialize/);
    expectCliError(await cli.run(['dags', 'show', 'marked']), 1, /DAG 'marked' not found/);
    expect(fs.existsSync(marker)).toBe(false);

    const summary = await cli.json<Record<string, unknown>>(['dags', 'reserialize']);
    expect(summary).toMatchObject({ files_found: 2, files_parsed: 2, import_errors: 0 });
    expect(summary.changed_dag_ids).toEqual(['etl', 'marked']);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);

    expect((await cli.json<Array<{ dag_id: string }>>(['dags', 'list'])).map((d) => d.dag_id)).toEqual([
      'etl',
      'marked',
    ]);
    expect(await cli.ok(['dags', 'show', 'marked', '-o', 'plain'])).toBeDefined();
    expect((await cli.ok(['tasks', 'list', 'marked'])).trim()).toBe('only');
    expect(await cli.ok(['dags', 'pause', 'marked'])).toBe("DAG 'marked' paused\n");
    expect(await cli.json(['dags', 'list-import-errors'])).toEqual([]);
    expect(fs.existsSync(marker)).toBe(false);
  });
});
