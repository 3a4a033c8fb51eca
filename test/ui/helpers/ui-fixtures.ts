import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import type { AppContext } from '../../../src/app/app-context';
import { FakeClock } from '../../../src/core/clock';
import type { SerializedDag, SerializedTask } from '../../../src/core/serialized-dag';
import { loadConfig } from '../../../src/config/load-config';
import {
  DagCodeEntity,
  DagEntity,
  DagRunEntity,
  SerializedDagEntity,
  TaskInstanceEntity,
} from '../../../src/db/entities';
import { mountUi } from '../../../src/web/ui';
import { present } from '../../helpers/eventually';
import { permissionsOfRole } from '../../../src/services/roles';
import { openMigratedTestDatabase } from '../../helpers/test-database';

export const NOW = '2026-03-01T12:00:00.000Z';

export function makeTask(taskId: string, overrides: Partial<SerializedTask> = {}): SerializedTask {
  return {
    taskId,
    operator: 'BashOperator',
    upstream: [],
    downstream: [],
    triggerRule: 'all_success',
    retries: 0,
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
    ...overrides,
  };
}

/** A serialized DAG with tasks chained in the given order unless edges are given. */
export function makeDag(
  dagId: string,
  tasks: SerializedTask[],
  overrides: Partial<SerializedDag> = {},
  edges?: Array<[string, string]>,
): SerializedDag {
  const pairs = edges ?? tasks.slice(1).map((task, i): [string, string] => [tasks[i].taskId, task.taskId]);
  for (const [from, to] of pairs) {
    tasks.find((t) => t.taskId === from)!.downstream.push(to);
    tasks.find((t) => t.taskId === to)!.upstream.push(from);
  }
  return {
    formatVersion: 1,
    dagId,
    description: null,
    fileloc: `/dags/${dagId}.ts`,
    schedule: { kind: 'cron', expression: '0 12 * * *', timezone: 'UTC' },
    scheduleText: '0 12 * * *',
    startDate: '2026-01-01T00:00:00.000Z',
    endDate: null,
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    dagrunTimeoutMs: null,
    tags: [],
    owner: 'airflow',
    params: {},
    docMd: null,
    tasks,
    ...overrides,
  };
}

export async function seedDag(
  ds: DataSource,
  dag: SerializedDag,
  options: { paused?: boolean; code?: string } = {},
): Promise<void> {
  await ds.getRepository(DagEntity).save({
    dagId: dag.dagId,
    isPaused: options.paused ?? false,
    isActive: true,
    fileloc: dag.fileloc,
    description: dag.description,
    schedule: dag.scheduleText,
    tags: dag.tags,
    owners: dag.owner,
    nextDagrun: new Date('2026-03-02T12:00:00Z'),
    lastParsedTime: new Date(NOW),
  });
  await ds.getRepository(SerializedDagEntity).save({
    dagId: dag.dagId,
    fileloc: dag.fileloc,
    data: JSON.stringify(dag),
    dagHash: 'h',
    lastUpdated: new Date(NOW),
  });
  await ds.getRepository(DagCodeEntity).save({
    fileloc: dag.fileloc,
    sourceCode: options.code ?? `// ${dag.dagId}\nexport default 1;\n`,
    lastUpdated: new Date(NOW),
  });
}

export async function seedRun(
  ds: DataSource,
  dagId: string,
  runId: string,
  state: DagRunEntity['state'],
  logicalDate: string,
  conf: Record<string, unknown> | null = null,
): Promise<void> {
  await ds.getRepository(DagRunEntity).save({
    dagId,
    runId,
    state,
    runType: 'manual',
    externalTrigger: true,
    conf,
    logicalDate: new Date(logicalDate),
    dataIntervalStart: new Date(logicalDate),
    dataIntervalEnd: new Date(logicalDate),
    startDate: new Date(logicalDate),
    endDate: state === 'running' || state === 'queued' ? null : new Date(new Date(logicalDate).getTime() + 60_000),
  });
}

export async function seedTi(
  ds: DataSource,
  dagId: string,
  runId: string,
  taskId: string,
  state: TaskInstanceEntity['state'],
  extra: Partial<TaskInstanceEntity> = {},
): Promise<void> {
  await ds.getRepository(TaskInstanceEntity).save({
    dagId,
    runId,
    taskId,
    mapIndex: -1,
    state,
    tryNumber: state ? 1 : 0,
    maxTries: 0,
    pool: 'default_pool',
    poolSlots: 1,
    queue: 'default',
    priorityWeight: 1,
    startDate: state ? new Date('2026-03-01T10:00:00Z') : null,
    endDate: state && state !== 'running' && state !== 'queued' ? new Date('2026-03-01T10:00:05Z') : null,
    duration: state && state !== 'running' && state !== 'queued' ? 5 : null,
    ...extra,
  });
}

export interface UiTestApp {
  app: express.Express;
  ctx: AppContext;
  ds: DataSource;
  logDir: string;
  close(): Promise<void>;
}

/**
 * Test-only auth: `x-test-user: name:role` logs a request in (a built-in role or a custom role
 * created in the test's database); the CSRF token is `csrf-<name>`.
 */
export function csrfFor(user: string): string {
  return `csrf-${user}`;
}

async function createUiTestApp(): Promise<UiTestApp> {
  const { dataSource, close } = await openMigratedTestDatabase('sqlite');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-ui-'));
  const config = loadConfig({ DAGCTL_HOME: home }, home);
  const ctx: AppContext = { config, dataSource, clock: new FakeClock(NOW) };
  const app = express();
  const authenticate: RequestHandler = async (req, _res, next) => {
    const header = req.header('x-test-user');
    if (header) {
      const [username, role] = header.split(':');
      const permissions = (await permissionsOfRole(dataSource, role)) ?? new Set();
      (req as unknown as { user: unknown }).user = { id: 1, username, role, authMethod: 'session', permissions };
    }
    next();
  };
  app.use(authenticate);
  const userOf = (req: express.Request): { username: string; role: string } | undefined =>
    (req as unknown as { user?: { username: string; role: string } }).user;
  mountUi(app, {
    ctx,
    requireLogin: (req, res, next) =>
      userOf(req) ? next() : res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`),
    csrfToken: (req) => csrfFor(userOf(req)?.username ?? 'anonymous'),
  });
  return {
    app,
    ctx,
    ds: dataSource,
    logDir: config.logging.base_log_folder,
    close: async () => {
      await close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * A UI test app for each test of the enclosing describe (`each`) or one for all its tests (`all`),
 * closed after. Call it first in the describe and seed in hooks declared after it.
 */
export function uiTestAppFor(scope: 'each' | 'all'): Omit<UiTestApp, 'close'> {
  let current: UiTestApp | undefined;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    current = await createUiTestApp();
  });
  after(async () => {
    await current?.close();
    current = undefined;
  });
  const open = (): UiTestApp => present(current, 'uiTestAppFor: the UI test app (open only inside tests and hooks)');
  return {
    get app() {
      return open().app;
    },
    get ctx() {
      return open().ctx;
    },
    get ds() {
      return open().ds;
    },
    get logDir() {
      return open().logDir;
    },
  };
}

export const VIEWER = 'vera:viewer';
export const OP = 'otto:op';
export const ADMIN = 'ada:admin';
