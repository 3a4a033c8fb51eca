import type { AppContext } from '../app/app-context';
import type { DagRunEntity } from '../db/entities';
import { loadPart } from './load-part';

/**
 * Entry points of other parts, loaded on first use: a command only pays for what it runs, and
 * `dagctl version` never loads the scheduler, the web server or bullmq.
 */

export interface TriggerDagRunInput {
  dagId: string;
  runId?: string;
  conf?: Record<string, unknown>;
  logicalDate?: Date;
  runType?: 'manual' | 'backfill';
}

export function triggerDagRun(ctx: AppContext, input: TriggerDagRunInput): Promise<DagRunEntity> {
  return loadPart<{ triggerDagRun: (ctx: AppContext, input: TriggerDagRunInput) => Promise<DagRunEntity> }>('services/trigger-dag-run', 'triggering DAG runs')
    .triggerDagRun(ctx, input);
}

export interface DagTestResult {
  dag_id: string;
  run_id: string;
  state: string;
  task_instances: Array<{ task_id: string; state: string | null; try_number: number }>;
}

export function testDag(ctx: AppContext, dagId: string, options: { logicalDate?: Date; conf?: Record<string, unknown> }): Promise<DagTestResult> {
  return loadPart<{ testDag: (ctx: AppContext, dagId: string, options: { logicalDate?: Date; conf?: Record<string, unknown> }) => Promise<DagTestResult> }>('scheduler/dag-test', 'dags test')
    .testDag(ctx, dagId, options);
}

export function runScheduler(ctx: AppContext, options: { numLoops?: number; signal?: AbortSignal }): Promise<void> {
  return loadPart<{ runScheduler: (ctx: AppContext, options: { numLoops?: number; signal?: AbortSignal }) => Promise<void> }>('scheduler/scheduler-job', 'the scheduler')
    .runScheduler(ctx, options);
}

export interface RunningWebServer {
  close(): Promise<void>;
  url: string;
}

export function startWebServer(ctx: AppContext, options: { host: string; port: number }): Promise<RunningWebServer> {
  return loadPart<{ startWebServer: (ctx: AppContext, options: { host: string; port: number }) => Promise<RunningWebServer> }>('web/server', 'the web server')
    .startWebServer(ctx, options);
}
