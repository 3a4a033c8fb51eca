import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { createCliHome, CliHome, CliResult } from './helpers/dagctl-cli';

/**
 * Airflow's CLI reference, line by line: each command line runs with Airflow's flags against its
 * own fresh DAGCTL_HOME (a copy of one prepared home: a DAG `hello`, a queued run `myrun`, a
 * finished test run) and must exit as Airflow's does, printing something sensible — with `-o json`
 * or `-o yaml`, data that parses.
 */

const HELLO = `dag_id: hello
schedule: "@daily"
start_date: 2026-01-01
tasks:
  a: { operator: bash, bash_command: "echo hi {{ ds }}" }
  b: { operator: bash, bash_command: "echo b", upstream: [a] }
`;
const TEST_RUN = 'test__2026-01-01T00:00:00.000Z';

type Check = (result: CliResult, home: string) => void;
/** Airflow's exit: 0, 1 (an error the command reports), 2 (argument parsing), or any failure. */
type Exit = 0 | 1 | 2 | 'fail';
interface Case {
  line: string;
  exit: Exit;
  check?: Check;
}

/** Split a command line like a shell (single quotes only). */
function argv(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const parsed = (result: CliResult, line: string): unknown =>
  / -o yaml\b|--output yaml\b/.test(line) ? YAML.parse(result.stdout) : JSON.parse(result.stdout);
const listOf =
  (predicate: (rows: Array<Record<string, unknown>>) => boolean): Check =>
  (result) => {
    const rows = (/^\s*\[|^\s*\{/.test(result.stdout) ? JSON.parse(result.stdout) : YAML.parse(result.stdout)) as Array<
      Record<string, unknown>
    >;
    expect(Array.isArray(rows) || rows === null).toBe(true);
    expect(predicate(rows ?? [])).toBe(true);
  };
const prints =
  (pattern: RegExp): Check =>
  (result) =>
    expect(result.stdout).toMatch(pattern);
const says =
  (pattern: RegExp): Check =>
  (result) =>
    expect(result.stderr).toMatch(pattern);

const CASES: Case[] = [
  { line: 'dags list -o yaml', exit: 0, check: listOf((rows) => rows[0].dag_id === 'hello') },
  { line: 'dags list -o json', exit: 0, check: listOf((rows) => rows[0].is_paused === false) },
  { line: 'dags list -o plain', exit: 0, check: prints(/^hello\t/m) },
  { line: 'dags list -o table', exit: 0, check: prints(/dag_id .*\n.*\nhello /) },
  { line: 'dags list-runs -d hello -o json', exit: 0, check: listOf((rows) => rows.some((r) => r.run_id === 'myrun')) },
  { line: 'dags list-runs -d hello --state queued -o yaml', exit: 0, check: listOf((rows) => rows.length === 1) },
  { line: 'dags list-runs -d hello --state bogus', exit: 2, check: says(/bogus.*queued, running, success, failed/) },
  {
    line: 'dags list-runs -d hello -s 2020-01-01 -e 2020-01-02 -o json',
    exit: 0,
    check: listOf((r) => r.length === 0),
  },
  { line: 'dags list-runs -d hello -s yesterday', exit: 2, check: says(/invalid start date/) },
  { line: 'dags list-import-errors -o json', exit: 0, check: listOf((rows) => rows.length === 0) },
  { line: 'dags next-execution hello', exit: 0, check: prints(/^\d{4}-\d{2}-\d{2}T/) },
  { line: 'dags pause hello', exit: 0, check: prints(/paused/) },
  {
    line: 'dags unpause hello -o yaml',
    exit: 0,
    check: (r) => expect(YAML.parse(r.stdout)).toMatchObject({ is_paused: false }),
  },
  { line: "dags trigger -c '{}' -r myrun2 hello", exit: 0, check: prints(/myrun2/) },
  { line: 'dags trigger -c \'{"a": 1}\' -e 2026-02-01 hello -o json', exit: 0 },
  { line: 'dags trigger -r myrun hello', exit: 'fail', check: says(/already has a run/) },
  { line: 'dags trigger nope', exit: 1, check: says(/DAG 'nope' not found/) },
  { line: 'dags state hello myrun', exit: 0, check: prints(/^queued$/m) },
  { line: 'dags state hello 2026-01-01', exit: 0, check: prints(/^success$/m) },
  { line: 'dags state hello 2019-01-01', exit: 0, check: prints(/^None$/m) },
  { line: 'dags state hello not-a-run', exit: 2, check: says(/neither a run id .* nor a logical date/) },
  { line: 'dags show hello', exit: 0, check: prints(/\ba\b[\s\S]*\bb\b/) },
  { line: 'dags report -o json', exit: 0, check: listOf((rows) => rows[0].task_num === 2 && rows[0].dag_num === 1) },
  { line: 'dags list-jobs -o json', exit: 0, check: listOf((rows) => rows.length === 0) },
  { line: 'dags delete hello -y', exit: 0, check: prints(/Deleted DAG 'hello'/) },
  { line: 'dags test hello 2026-01-05', exit: 0, check: prints(/: success/) },
  { line: 'dags backfill -s 2026-01-02 -e 2026-01-03 hello', exit: 0, check: prints(/backfill run/) },
  { line: 'tasks list hello', exit: 0, check: prints(/^a\nb\n$/) },
  { line: 'tasks list hello -o json', exit: 0, check: listOf((rows) => rows.length === 2) },
  {
    line: `tasks states-for-dag-run hello ${TEST_RUN} -o yaml`,
    exit: 0,
    check: listOf((rows) => rows.every((r) => r.state === 'success')),
  },
  { line: `tasks state hello a ${TEST_RUN}`, exit: 0, check: prints(/^success$/m) },
  { line: 'tasks state hello b 2026-01-01 --map-index -1', exit: 0, check: prints(/^success$/m) },
  { line: 'tasks clear -s 2026-01-01 -e 2026-01-02 -y hello', exit: 0, check: prints(/Cleared 2 task instance/) },
  { line: 'tasks clear -r -y hello', exit: 0, check: prints(/Cleared 0 task instance/) },
  {
    line: 'tasks clear -t ^a$ -d -y hello -o json',
    exit: 0,
    check: (r) => expect(JSON.parse(r.stdout)).toMatchObject({ cleared_count: 2 }),
  },
  { line: 'tasks test hello a 2026-01-03', exit: 0, check: prints(/Task hello\.a: success/) },
  { line: `tasks test hello a ${TEST_RUN}`, exit: 0, check: prints(/Task hello\.a: success/) },
  { line: 'tasks test hello a 2026-01-03 -t \'{"x": 1}\'', exit: 0, check: prints(/Task hello\.a: success/) },
  { line: "tasks test hello a --task-params '[1]'", exit: 2, check: says(/invalid --task-params JSON/) },
  { line: 'tasks render hello a 2026-01-03', exit: 0, check: prints(/echo hi 2026-01-03/) },
  { line: `tasks failed-deps hello a ${TEST_RUN}`, exit: 0 },
  {
    line: 'users create -u u -f F -l L -e e@x -r Admin -p pw',
    exit: 0,
    check: prints(/User u created with role admin/),
  },
  {
    line: 'users create -u v -f Bob -l Smith -e bob@x -r Viewer --use-random-password',
    exit: 0,
    check: prints(/Password: \S+/),
  },
  { line: 'users create -u w -f F -l L -e e@x -r Public -p pw', exit: 2, check: says(/invalid role/) },
  { line: 'users create -u x -f F -l L -e e@x -r Admin', exit: 2, check: says(/password/) },
  { line: 'users list -o json', exit: 0, check: listOf((rows) => rows.some((r) => r.username === 'admin')) },
  { line: 'users delete -u admin', exit: 0 },
  {
    line: 'roles list -o yaml',
    exit: 0,
    check: listOf((rows) => rows.map((r) => r.name).join() === 'admin,op,viewer'),
  },
  { line: 'roles create Readers Auditors', exit: 0, check: prints(/Role Readers created\nRole Auditors created/) },
  {
    line: 'roles list -p -o json',
    exit: 0,
    check: listOf((rows) => rows[0].name === 'admin' && (rows[0].permissions as string[]).includes('can_read on DAGs')),
  },
  { line: 'roles add-perms Viewer -r DAGs -a can_read', exit: 2, check: says(/built in/) },
  {
    line: "roles del-perms Nope -r 'DAG Runs' -a can_create -a can_edit",
    exit: 1,
    check: says(/'Nope' was not found/),
  },
  { line: 'roles delete Admin', exit: 2, check: says(/built in/) },
  {
    line: 'roles export {home}/roles.json',
    exit: 0,
    check: (_, home) => expect(JSON.parse(fs.readFileSync(path.join(home, 'roles.json'), 'utf8'))).toEqual([]),
  },
  { line: 'roles import {home}/missing.json', exit: 1, check: says(/cannot read .*missing\.json/) },
  { line: 'pools set p 4 desc', exit: 0, check: prints(/Pool p set to 4 slot/) },
  {
    line: 'pools get default_pool -o json',
    exit: 0,
    check: (r) => expect(JSON.parse(r.stdout)).toMatchObject({ pool: 'default_pool' }),
  },
  { line: 'pools list -o yaml', exit: 0, check: listOf((rows) => rows[0].pool === 'default_pool') },
  { line: 'pools delete default_pool', exit: 'fail', check: says(/default_pool cannot be deleted/) },
  {
    line: 'pools export {home}/pools.json',
    exit: 0,
    check: (_, home) =>
      expect(JSON.parse(fs.readFileSync(path.join(home, 'pools.json'), 'utf8'))).toMatchObject({
        default_pool: { slots: 128 },
      }),
  },
  { line: 'pools import {home}/missing.json', exit: 1, check: says(/cannot read .*missing\.json/) },
  { line: 'variables set k v', exit: 0 },
  { line: 'variables get nope', exit: 1, check: says(/not found/) },
  { line: 'variables list -o json', exit: 0, check: listOf((rows) => rows.length === 0) },
  { line: 'connections add my_db --conn-uri postgres://u:secret@h:5432/db', exit: 0 },
  { line: 'connections list -o json', exit: 0, check: listOf((rows) => rows.length === 0) },
  { line: 'connections get nope', exit: 1 },
  { line: 'db check', exit: 0, check: prints(/reachable/) },
  { line: 'db upgrade', exit: 0, check: prints(/up to date/) },
  { line: 'db clean --clean-before-timestamp 2000-01-01 --dry-run', exit: 0, check: prints(/Would delete 0 row/) },
  { line: 'db clean --clean-before-timestamp 2000-01-01', exit: 2, check: says(/--yes/) },
  {
    line: 'db clean --clean-before-timestamp 2000-01-01 --tables task_fail -y',
    exit: 2,
    check: says(/invalid --tables/),
  },
  { line: 'config get-value core executor', exit: 0, check: prints(/^local$/m) },
  { line: 'config list', exit: 0, check: prints(/dags_are_paused_at_creation = false {2}# Airflow's default is true/) },
  { line: 'config list -o json', exit: 0, check: listOf((rows) => rows.length > 10) },
  { line: 'version', exit: 0, check: prints(/^\d+\.\d+\.\d+/) },
  {
    line: 'info -o json',
    exit: 0,
    check: (r) => expect(JSON.parse(r.stdout)).toMatchObject({ database: 'reachable' }),
  },
  { line: 'cheat-sheet', exit: 0, check: prints(/dagctl dags list-runs[\s\S]*dagctl jobs check/) },
  { line: 'jobs check', exit: 1, check: says(/No alive jobs found/) },
  { line: 'jobs check --job-type SchedulerJob --local --limit 5 --allow-multiple', exit: 1 },
  { line: 'dags no-such-command', exit: 2 },
];

jest.setTimeout(600_000);

describe('Airflow CLI command lines (built binary, a fresh DAGCTL_HOME each)', () => {
  let template: CliHome;
  beforeAll(async () => {
    template = await createCliHome('sqlite');
    template.writeDag('hello.yaml', HELLO);
    await template.ok(['initdb']);
    await template.ok(['dags', 'reserialize']);
    await template.ok(['dags', 'test', 'hello', '2026-01-01']);
    await template.ok(['dags', 'trigger', 'hello', '-r', 'myrun', '-e', '2026-06-01']);
  });
  afterAll(async () => template.close());

  it('has at least 40 command lines', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('dagctl $line → exit $exit', async ({ line, exit, check }) => {
    const cli = await createCliHome('sqlite');
    try {
      // A copy of the prepared home: its database, fernet key and DAG file.
      fs.copyFileSync(template.db.url.slice('sqlite://'.length), cli.db.url.slice('sqlite://'.length));
      fs.copyFileSync(path.join(template.home, 'dagctl.json'), path.join(cli.home, 'dagctl.json'));
      cli.writeDag('hello.yaml', HELLO);
      const result = await cli.run(argv(line.replaceAll('{home}', cli.home)));
      const detail = `stdout: ${result.stdout}\nstderr: ${result.stderr}`;
      if (exit === 'fail') expect({ code: result.code === 0 ? 0 : 'fail', detail }).toEqual({ code: 'fail', detail });
      else expect({ code: result.code, detail }).toEqual({ code: exit, detail });
      if (exit !== 0) expect(result.stderr.trim().split('\n').length).toBeGreaterThanOrEqual(1);
      else if (/ -o (json|yaml)\b/.test(line)) expect(() => parsed(result, line)).not.toThrow();
      check?.(result, cli.home);
    } finally {
      await cli.close();
    }
  });
});
