import { errorMessage } from '../../src/core/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeConfig } from '../../src/config/describe-config';
import { loadConfig } from '../../src/config/load-config';
import { parseConfigDuration } from '../../src/config/parse-config-value';
import { formatDuration } from '../../src/core/duration';
import { UserError } from '../../src/core/errors';
import { childEnvFor } from '../../src/executors/child-env';

describe('loadConfig', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-config-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const load = (env: Record<string, string> = {}) => loadConfig({ DAGCTL_HOME: home, ...env }, home);
  const writeFile = (values: unknown) => fs.writeFileSync(path.join(home, 'dagctl.json'), JSON.stringify(values));
  const failure = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      const message = errorMessage(err);
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error('expected loadConfig to fail');
  };

  it('resolves the defaults once: durations in ms, folders under DAGCTL_HOME, typed values', () => {
    const config = load();
    expect(config.scheduler).toMatchObject({
      idle_sleep: 1000,
      dag_dir_list_interval: 30_000,
      dag_file_recheck_interval: 300_000,
      task_queued_timeout: 600_000,
      zombie_threshold: 300_000,
      heartbeat_interval: 5000,
      parsing_processes: 2,
      parser_max_heap: 1024,
    });
    expect(config.core).toMatchObject({
      dagbag_import_timeout: 30_000,
      max_active_tasks_per_dag: 16,
      max_active_runs_per_dag: 16,
      default_task_retries: 0,
      dags_are_paused_at_creation: false,
      dags_folder: path.join(home, 'dags'),
    });
    expect(config.worker.shutdown_timeout).toBe(60_000);
    expect(config.webserver.session_lifetime).toBe(12 * 3_600_000);
    expect(config.logging.base_log_folder).toBe(path.join(home, 'logs'));
    expect(config.database.url).toBe(`sqlite:///${path.join(home, 'dagctl.db')}`);
    expect(config.home).toBe(home);
    expect(config.configFile).toBeNull();
    // Empty until `initdb` generates one (CONTRACT §1).
    expect(config.core.fernet_key).toBe('');
  });

  it('reads a bare number in the environment as seconds, and strings with units as written', () => {
    const config = load({
      DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: '5',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '0.5',
      DAGCTL__SCHEDULER__TASK_QUEUED_TIMEOUT: '500ms',
      DAGCTL__SCHEDULER__ZOMBIE_THRESHOLD: '5m',
      DAGCTL__WORKER__SHUTDOWN_TIMEOUT: ' 1h30m ',
      DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '30s',
    });
    expect(config.core.dagbag_import_timeout).toBe(5000);
    expect(config.scheduler.idle_sleep).toBe(500);
    expect(config.scheduler.task_queued_timeout).toBe(500);
    expect(config.scheduler.zombie_threshold).toBe(300_000);
    expect(config.worker.shutdown_timeout).toBe(5_400_000);
    expect(config.scheduler.heartbeat_interval).toBe(30_000);
  });

  it('reads a bare number in the file as seconds (JSON number or numeric string); env wins over the file', () => {
    writeFile({
      core: { dagbag_import_timeout: 5, parallelism: 4, max_active_tasks_per_dag: 2, default_task_retries: 3 },
      scheduler: { idle_sleep: '2', zombie_threshold: '90s', dag_dir_list_interval: 0.25 },
      webserver: { session_lifetime: '1h' },
    });
    const fromFile = load();
    expect(fromFile.configFile).toBe(path.join(home, 'dagctl.json'));
    expect(fromFile.core).toMatchObject({
      dagbag_import_timeout: 5000,
      parallelism: 4,
      max_active_tasks_per_dag: 2,
      default_task_retries: 3,
    });
    expect(fromFile.scheduler).toMatchObject({
      idle_sleep: 2000,
      zombie_threshold: 90_000,
      dag_dir_list_interval: 250,
    });
    expect(fromFile.webserver.session_lifetime).toBe(3_600_000);

    const withEnv = load({ DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: '250ms', DAGCTL__CORE__PARALLELISM: '9' });
    expect(withEnv.core.dagbag_import_timeout).toBe(250);
    expect(withEnv.core.parallelism).toBe(9);
    expect(withEnv.core.max_active_tasks_per_dag).toBe(2);
  });

  it('refuses a bad duration with one line naming the key and where the value came from', () => {
    expect(failure(() => load({ DAGCTL__SCHEDULER__IDLE_SLEEP: 'soon' }))).toBe(
      'config scheduler.idle_sleep (environment variable DAGCTL__SCHEDULER__IDLE_SLEEP): expected a duration ' +
        "(a number of seconds, or a string such as '500ms', '30s', '5m'), got 'soon'",
    );
    expect(failure(() => load({ DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: '5 parsecs' }))).toMatch(
      new RegExp(
        '^config core\\.dagbag_import_timeout \\(environment variable DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT\\): ' +
          'expected a duration',
      ),
    );
    expect(failure(() => load({ DAGCTL__WORKER__SHUTDOWN_TIMEOUT: '-5' }))).toMatch(
      /worker\.shutdown_timeout.*got '-5'/,
    );
    writeFile({ scheduler: { zombie_threshold: -1 } });
    expect(failure(() => load())).toBe(
      `config scheduler.zombie_threshold (file ${path.join(home, 'dagctl.json')}): expected a duration ` +
        "(a number of seconds, or a string such as '500ms', '30s', '5m'), got -1",
    );
    writeFile({ scheduler: { task_queued_timeout: true } });
    expect(failure(() => load())).toMatch(
      /^config scheduler\.task_queued_timeout \(file .*\): expected a duration.*got true$/,
    );
  });

  it('refuses other bad values, unknown keys and sections, each in one line', () => {
    expect(failure(() => load({ DAGCTL__CORE__PARALLELISM: 'many' }))).toBe(
      'config core.parallelism (environment variable DAGCTL__CORE__PARALLELISM): ' +
        "expected a whole number >= 1, got 'many'",
    );
    expect(failure(() => load({ DAGCTL__CORE__MAX_ACTIVE_TASKS_PER_DAG: '0' }))).toMatch(
      /core\.max_active_tasks_per_dag .*expected a whole number >= 1, got '0'/,
    );
    expect(failure(() => load({ DAGCTL__CORE__DEFAULT_TASK_RETRIES: '1.5' }))).toMatch(
      /core\.default_task_retries .*expected a whole number >= 0, got '1\.5'/,
    );
    expect(failure(() => load({ DAGCTL__CORE__EXECUTOR: 'celery' }))).toBe(
      'config core.executor (environment variable DAGCTL__CORE__EXECUTOR): ' +
        "expected sequential, local or bullmq, got 'celery'",
    );
    expect(failure(() => load({ DAGCTL__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'maybe' }))).toMatch(
      /expected true or false, got 'maybe'/,
    );
    expect(failure(() => load({ DAGCTL__CORE__FERNET_KEYS: 'x' }))).toBe(
      "environment variable DAGCTL__CORE__FERNET_KEYS: unknown config key 'core.fernet_keys'",
    );
    writeFile({ core: { parallelism: '8' }, celery: {} });
    expect(failure(() => load())).toMatch(/unknown section 'celery'/);
    writeFile({ core: { parallelism: '8', colour: 'red' } });
    expect(failure(() => load())).toMatch(/unknown key 'core\.colour'/);
    writeFile({ core: { parallelism: '8' } });
    expect(load().core.parallelism).toBe(8);
  });

  it('hands children the same configuration through the environment (durations with a unit)', () => {
    const config = load({ DAGCTL__SCHEDULER__IDLE_SLEEP: '1.5', DAGCTL__CORE__DEFAULT_TASK_RETRIES: '2' });
    const env = childEnvFor(config, {});
    expect(env.DAGCTL__SCHEDULER__IDLE_SLEEP).toBe('1500ms');
    expect(env.DAGCTL__SCHEDULER__ZOMBIE_THRESHOLD).toBe('5m');
    const { configFile: _a, ...expected } = config;
    const { configFile: _b, ...reloaded } = loadConfig(env, '/');
    expect(reloaded).toEqual(expected);
  });

  it('describes the resolved values for `config list`: units, masked secrets, notes', () => {
    const rows = describeConfig(
      load({
        DAGCTL__SCHEDULER__IDLE_SLEEP: '90',
        DAGCTL__WEBSERVER__SECRET_KEY: 'topsecret',
        DAGCTL__DATABASE__URL: 'postgres://u:pw@db:5432/x',
      }),
    );
    const row = (key: string) => rows.find((r) => r.key === key);
    expect(row('idle_sleep')).toEqual({ section: 'scheduler', key: 'idle_sleep', value: '90s' });
    expect(row('task_queued_timeout')?.value).toBe('10m');
    expect(row('secret_key')?.value).toBe('***');
    expect(row('url')?.value).toBe('postgres://***@db:5432/x');
    expect(row('dags_are_paused_at_creation')).toEqual({
      section: 'core',
      key: 'dags_are_paused_at_creation',
      value: false,
      note: expect.stringMatching(/Airflow's default is true/),
    });
  });
});

describe('config durations', () => {
  it('format back to a string that resolves to the same milliseconds', () => {
    for (const ms of [0, 1, 250, 999, 1000, 1500, 60_000, 90_000, 300_000, 3_600_000, 5_400_000, 86_400_000]) {
      expect(parseConfigDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});
