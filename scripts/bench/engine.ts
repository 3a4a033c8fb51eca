import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

/**
 * The engine as users run it: the compiled JS in dist/ (loaded with Node's own require, so jiti
 * never transpiles what is being measured), typed by the sources it was built from.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(REPO_ROOT, 'dist');
export const CLI_MAIN = path.join(DIST, 'cli', 'main.js');

const nativeRequire = createRequire(path.join(REPO_ROOT, 'package.json'));

function load<T>(relative: string): T {
  const file = path.join(DIST, `${relative}.js`);
  if (!fs.existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run 'npm run build' first`);
  return nativeRequire(file) as T;
}

export type LoadConfigModule = typeof import('../../src/config/load-config');
export type AppContextModule = typeof import('../../src/app/app-context');
export type DataSourceModule = typeof import('../../src/db/data-source');
export type TriggerModule = typeof import('../../src/services/trigger-dag-run');
export type ProcessorModule = typeof import('../../src/parsing/dag-processor-manager');
export type UsersModule = typeof import('../../src/services/users');
export type SchedulerJobModule = typeof import('../../src/scheduler/scheduler-job');
export type SchedulerLoopModule = typeof import('../../src/scheduler/scheduler-loop');
export type SqlModule = typeof import('../../src/db/sql');
export type TaskProcessPoolModule = typeof import('../../src/runner/task-process-pool');
export type ChildEnvModule = typeof import('../../src/executors/child-env');
export type ExternalChangeWatcherModule = typeof import('../../src/scheduler/external-change-watcher');
export type PriorityWeightsModule = typeof import('../../src/scheduler/priority-weights');
export type AppContext = import('../../src/app/app-context').AppContext;
export type LoadedConfig = import('../../src/config/load-config').LoadedConfig;
export type LoopStats = import('../../src/scheduler/scheduler-loop').LoopStats;

export const engine = {
  config: () => load<LoadConfigModule>('config/load-config'),
  appContext: () => load<AppContextModule>('app/app-context'),
  dataSource: () => load<DataSourceModule>('db/data-source'),
  trigger: () => load<TriggerModule>('services/trigger-dag-run'),
  processor: () => load<ProcessorModule>('parsing/dag-processor-manager'),
  users: () => load<UsersModule>('services/users'),
  schedulerJob: () => load<SchedulerJobModule>('scheduler/scheduler-job'),
  schedulerLoop: () => load<SchedulerLoopModule>('scheduler/scheduler-loop'),
  sql: () => load<SqlModule>('db/sql'),
  taskProcessPool: () => load<TaskProcessPoolModule>('runner/task-process-pool'),
  childEnv: () => load<ChildEnvModule>('executors/child-env'),
  externalChangeWatcher: () => load<ExternalChangeWatcherModule>('scheduler/external-change-watcher'),
  priorityWeights: () => load<PriorityWeightsModule>('scheduler/priority-weights'),
};

/** Any Node module installed for the project (bullmq, pg, better-sqlite3, autocannon…). */
export function requireDependency<T>(name: string): T {
  return nativeRequire(name) as T;
}
