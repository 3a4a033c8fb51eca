import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Application } from 'express';
import type { DataSource } from 'typeorm';
import type { AppContext } from '../../../src/app/app-context';
import { loadConfig } from '../../../src/config/load-config';
import { systemClock, type Clock } from '../../../src/core/clock';
import type { SerializedDag } from '../../../src/core/serialized-dag';
import { execSql } from '../../../src/db/sql';
import { createUser } from '../../../src/services/users';
import { createWebApp, type WebAppOptions } from '../../../src/web/app';
import { openMigratedTestDatabase, type TestDatabaseKind } from '../../helpers/test-database';

export const PASSWORDS = { admin: 'admin-pw-1', op: 'op-pw-1', viewer: 'viewer-pw-1' } as const;
export type Role = keyof typeof PASSWORDS;
export const ROLES: readonly Role[] = ['admin', 'op', 'viewer'];

export interface ApiTestApp {
  kind: TestDatabaseKind;
  home: string;
  ctx: AppContext;
  ds: DataSource;
  app: Application;
  /** `Authorization` header value for a seeded user. */
  basic(role: Role): string;
  close(): Promise<void>;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A migrated database, a DAGCTL_HOME, one user per role, and the web app (UI off: API only). */
export async function createApiTestApp(
  kind: TestDatabaseKind,
  options: WebAppOptions & { clock?: Clock; env?: Record<string, string> } = {},
): Promise<ApiTestApp> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-api-'));
  const db = await openMigratedTestDatabase(kind);
  const config = loadConfig({ DAGCTL_HOME: home, DAGCTL__DATABASE__URL: db.db.url, ...options.env }, home);
  const ctx: AppContext = { config, dataSource: db.dataSource, clock: options.clock ?? systemClock };
  for (const role of ROLES) await createUser(ctx, { username: role, password: PASSWORDS[role], role });
  const app = createWebApp(ctx, { ui: false, ...options });
  return {
    kind,
    home,
    ctx,
    ds: db.dataSource,
    app,
    basic: (role) => basicHeader(role, PASSWORDS[role]),
    close: async () => {
      await db.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Store a serialized DAG, its dag row (with description, tags, schedule) and its source. */
export async function seedDag(
  ds: DataSource,
  dag: SerializedDag,
  options: { paused?: boolean; active?: boolean; code?: string; parsedAt?: string } = {},
): Promise<void> {
  const data = JSON.stringify(dag);
  const hash = crypto.createHash('sha256').update(data).digest('hex');
  const now = options.parsedAt ?? '2026-01-01T00:00:00.000Z';
  await execSql(
    ds,
    'INSERT INTO serialized_dag (dag_id, fileloc, data, dag_hash, last_updated) VALUES (?, ?, ?, ?, ?)',
    [dag.dagId, dag.fileloc, data, hash, now],
  );
  await execSql(
    ds,
    `INSERT INTO dag (dag_id, is_paused, is_active, fileloc, description, schedule, tags, owners, max_active_runs,
       max_active_tasks, last_parsed_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      dag.dagId,
      options.paused ?? false,
      options.active ?? true,
      dag.fileloc,
      dag.description,
      dag.scheduleText,
      JSON.stringify(dag.tags),
      dag.owner,
      dag.maxActiveRuns,
      dag.maxActiveTasks,
      now,
    ],
  );
  if (options.code !== undefined) {
    await execSql(ds, 'DELETE FROM dag_code WHERE fileloc = ?', [dag.fileloc]);
    await execSql(ds, 'INSERT INTO dag_code (fileloc, source_code, last_updated) VALUES (?, ?, ?)', [
      dag.fileloc,
      options.code,
      now,
    ]);
  }
}

export async function seedRun(
  ds: DataSource,
  run: {
    dagId: string;
    runId: string;
    logicalDate: string;
    state?: string;
    runType?: string;
    startDate?: string | null;
    endDate?: string | null;
    conf?: unknown;
  },
): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end, state, run_type,
       external_trigger, conf, queued_at, start_date, end_date, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      run.dagId,
      run.runId,
      run.logicalDate,
      run.logicalDate,
      run.logicalDate,
      run.state ?? 'success',
      run.runType ?? 'manual',
      true,
      JSON.stringify(run.conf ?? {}),
      run.logicalDate,
      run.startDate ?? run.logicalDate,
      run.endDate ?? null,
      run.logicalDate,
    ],
  );
}

export async function seedTi(
  ds: DataSource,
  ti: {
    dagId: string;
    runId: string;
    taskId: string;
    /** -1 unless given (a task instance of a mapped task). */
    mapIndex?: number;
    state: string | null;
    tryNumber?: number;
    duration?: number | null;
    startDate?: string | null;
    endDate?: string | null;
    pool?: string;
    rendered?: Record<string, unknown>;
  },
): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, state, try_number, max_tries, start_date, end_date,
       duration, hostname, operator, pool, pool_slots, queue, priority_weight, rendered_fields, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 1, 'default', 1, ?, ?)`,
    [
      ti.dagId,
      ti.runId,
      ti.taskId,
      ti.mapIndex ?? -1,
      ti.state,
      ti.tryNumber ?? 1,
      ti.startDate ?? null,
      ti.endDate ?? null,
      ti.duration ?? null,
      'worker-1',
      'FunctionOperator',
      ti.pool ?? 'default_pool',
      ti.rendered ? JSON.stringify(ti.rendered) : null,
      ti.endDate ?? ti.startDate ?? null,
    ],
  );
}

export async function seedXcom(
  ds: DataSource,
  x: { dagId: string; runId: string; taskId: string; key: string; value: unknown },
): Promise<void> {
  await execSql(
    ds,
    'INSERT INTO xcom (dag_id, run_id, task_id, map_index, key, value, timestamp) VALUES (?, ?, ?, -1, ?, ?, ?)',
    [x.dagId, x.runId, x.taskId, x.key, JSON.stringify(x.value), '2026-01-02T00:00:00.000Z'],
  );
}
