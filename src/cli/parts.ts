import type { AppContext } from '../app/app-context';
import type { DagRunEntity } from '../db/entities';
import type { DagTestResult } from '../services/test-dag';
import type { TriggerDagRunInput } from '../services/trigger-dag-run';
import type { RunningWebServer } from '../web/server';

/**
 * Entry points of other parts, loaded on first use: a command only pays for what it runs, and
 * `dagctl version` never loads the scheduler, the web server or bullmq.
 */

export async function triggerDagRun(ctx: AppContext, input: TriggerDagRunInput): Promise<DagRunEntity> {
  return (await import('../services/trigger-dag-run')).triggerDagRun(ctx, input);
}

export async function testDag(
  ctx: AppContext,
  dagId: string,
  options: { logicalDate?: Date; conf?: Record<string, unknown>; echo?: boolean },
): Promise<DagTestResult> {
  return (await import('../services/test-dag')).testDag(ctx, dagId, options);
}

export async function runScheduler(
  ctx: AppContext,
  options: { numLoops?: number; signal?: AbortSignal },
): Promise<void> {
  return (await import('../scheduler/scheduler-job')).runScheduler(ctx, options);
}

export async function startWebServer(
  ctx: AppContext,
  options: { host: string; port: number },
): Promise<RunningWebServer> {
  return (await import('../web/server')).startWebServer(ctx, options);
}
