import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { execSql } from '../../../src/db/sql';
import { taskLogPath } from '../../../src/logging/task-log-path';
import { makeDag, makeTask } from '../../helpers/serialized-dags';
import { seedDag, seedRun, seedTi, seedXcom } from './api-test-app';

export const EXAMPLE_CODE = "import { DAG } from 'dagctl';\nexport default new DAG('example_dag', {});\n";
export const LOG_TEXT = 'line one\nline two: héllo wörld\n';

/**
 * The data most API tests read: three DAGs (one paused, one inactive), runs in several states,
 * task instances, XComs, a variable, a pool, a connection with secrets, an import error and a
 * task log on disk.
 */
export async function seedExample(ds: DataSource, logFolder: string): Promise<void> {
  const example = makeDag(
    'example_dag',
    [
      makeTask('extract'),
      makeTask('transform', ['extract'], {
        triggerRule: 'always',
        retries: 2,
        retryDelayMs: 90_000,
        executionTimeoutMs: 3_600_000,
        templateFields: { bashCommand: 'echo {{ ds }}' },
      }),
      makeTask('load', ['transform']),
    ],
    {
      description: '<script>alert(1)</script> example',
      tags: ['etl', 'nightly'],
      scheduleText: '0 12 * * *',
      schedule: { kind: 'cron', expression: '0 12 * * *', timezone: 'UTC' },
      startDate: '2026-01-01T00:00:00.000Z',
      fileloc: '/dags/example.ts',
      params: { x: 1 },
      dagrunTimeoutMs: 7_200_000,
    },
  );
  await seedDag(ds, example, { code: EXAMPLE_CODE });
  await seedDag(
    ds,
    makeDag('interval_dag', [makeTask('only')], {
      scheduleText: 'every 30m',
      schedule: { kind: 'interval', everyMs: 1_800_000 },
      tags: ['etl'],
      fileloc: '/dags/interval.ts',
    }),
    { paused: true },
  );
  await seedDag(ds, makeDag('manual_dag', [makeTask('a')], { fileloc: '/dags/manual.ts' }));
  await seedDag(ds, makeDag('inactive_dag', [makeTask('a')], { fileloc: '/dags/gone.ts' }), { active: false });

  await seedRun(ds, {
    dagId: 'example_dag',
    runId: 'run_1',
    logicalDate: '2026-01-01T00:00:00.000Z',
    state: 'success',
    endDate: '2026-01-01T00:10:00.000Z',
    conf: { a: 1 },
  });
  await seedRun(ds, {
    dagId: 'example_dag',
    runId: 'run_2',
    logicalDate: '2026-01-02T00:00:00.000Z',
    state: 'failed',
    endDate: '2026-01-02T00:10:00.000Z',
  });
  await seedRun(ds, {
    dagId: 'example_dag',
    runId: 'run_3',
    logicalDate: '2026-01-03T00:00:00.000Z',
    state: 'running',
    runType: 'scheduled',
  });
  const t = (day: string, minute: number) => `2026-01-${day}T00:0${minute}:00.000Z`;
  for (const [taskId, state, minute] of [
    ['extract', 'success', 1],
    ['transform', 'success', 2],
    ['load', 'success', 3],
  ] as const) {
    await seedTi(ds, {
      dagId: 'example_dag',
      runId: 'run_1',
      taskId,
      state,
      startDate: t('01', minute - 1),
      endDate: t('01', minute),
      duration: 60 * minute,
      rendered: { bashCommand: 'echo 2026-01-01' },
    });
  }
  await seedTi(ds, {
    dagId: 'example_dag',
    runId: 'run_2',
    taskId: 'extract',
    state: 'success',
    startDate: t('02', 0),
    endDate: t('02', 1),
    duration: 60,
  });
  await seedTi(ds, {
    dagId: 'example_dag',
    runId: 'run_2',
    taskId: 'transform',
    state: 'failed',
    tryNumber: 2,
    startDate: t('02', 1),
    endDate: t('02', 2),
    duration: 30,
  });
  await seedTi(ds, { dagId: 'example_dag', runId: 'run_2', taskId: 'load', state: 'upstream_failed' });
  await seedTi(ds, {
    dagId: 'example_dag',
    runId: 'run_3',
    taskId: 'extract',
    state: 'running',
    startDate: t('03', 0),
    pool: 'small',
  });
  await seedTi(ds, { dagId: 'example_dag', runId: 'run_3', taskId: 'transform', state: null });
  await seedTi(ds, { dagId: 'example_dag', runId: 'run_3', taskId: 'load', state: null });

  await seedXcom(ds, {
    dagId: 'example_dag',
    runId: 'run_1',
    taskId: 'extract',
    key: 'return_value',
    value: { rows: 3 },
  });
  await seedXcom(ds, { dagId: 'example_dag', runId: 'run_1', taskId: 'extract', key: 'note', value: 'hello' });

  await execSql(ds, 'INSERT INTO variable ("key", val, description) VALUES (?, ?, ?)', [
    'var1',
    'value1',
    'first variable',
  ]);
  await execSql(ds, 'INSERT INTO slot_pool (pool, slots, description) VALUES (?, ?, ?)', ['small', 2, 'a small pool']);
  await execSql(
    ds,
    'INSERT INTO connection (conn_id, conn_type, host, login, password, port, extra) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ['db1', 'postgres', 'db.example', 'me', 's3cret-pw', 5432, JSON.stringify({ token: 'tok-123', region: 'eu' })],
  );
  await execSql(ds, 'INSERT INTO import_error (filename, stacktrace, timestamp) VALUES (?, ?, ?)', [
    '/dags/broken.ts',
    'SyntaxError: Unexpected token (3:7)',
    '2026-01-01T00:00:00.000Z',
  ]);

  const log = taskLogPath(logFolder, { dagId: 'example_dag', runId: 'run_1', taskId: 'extract', mapIndex: -1 }, 1);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, LOG_TEXT);
}
