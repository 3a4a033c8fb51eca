import os from 'node:os';
import type { AppContext } from '../app/app-context';
import { DagRunType } from '../core/states';
import { execSql } from '../db/sql';
import { InProcessExecutor } from '../executors/in-process-executor';
import { failAbandonedTestRuns } from '../scheduler/fail-abandoned-test-runs';
import { SchedulerLoop } from '../scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../scheduler/scheduler-options';
import { triggerDagRun } from './trigger-dag-run';

export interface DagTestResult {
  dag_id: string;
  run_id: string;
  state: string;
  /** In the order they ran (by start, then end); tasks that never started last. */
  task_instances: DagTestTaskInstance[];
}

export interface DagTestTaskInstance {
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
  /** Seconds, of the last try. */
  duration: number | null;
  /** Why the last try ended as it did (a failed task's error), masked like its log. */
  reason: string | null;
}

/**
 * `dagctl dags test`: one whole run of a DAG in this process, with the scheduler's own decision
 * code (trigger rules, retries, branching) but tasks run in-process, one at a time. Other runs
 * in the database are not touched: only this run's DAG is looked at and no scheduler job runs.
 * Its run_type is 'test', which every query of a running scheduler skips: the run is this
 * process's alone, recorded as its owner (host and pid) so that a scheduler on this host, or the
 * next `dags test`, fails the run if this process is killed.
 */
export async function testDag(
  ctx: AppContext,
  dagId: string,
  options: { logicalDate?: Date; conf?: Record<string, unknown>; echo?: boolean } = {},
): Promise<DagTestResult> {
  const now = ctx.clock.now();
  // Without a scheduler, this is what fails the runs of earlier `dags test` processes that were killed.
  await failAbandonedTestRuns(ctx.dataSource, now);
  const run = await triggerDagRun(ctx, {
    dagId,
    conf: options.conf,
    logicalDate: options.logicalDate ?? now,
    runId: `test__${(options.logicalDate ?? now).toISOString()}`,
    runType: DagRunType.TEST,
    owner: { hostname: os.hostname(), pid: process.pid },
  });
  const state = await finishRunInProcess(ctx, dagId, run.runId, options.echo ?? false);
  const { records: tis } = await execSql<{
    task_id: string;
    map_index: number | string;
    state: string | null;
    try_number: number;
    start_date: string | null;
    end_date: string | null;
    duration: number | string | null;
    end_reason: string | null;
  }>(
    ctx.dataSource,
    // ISO dates in text columns order by time; never-started tasks (upstream_failed, skipped) last.
    `SELECT task_id, map_index, state, try_number, start_date, end_date, duration, end_reason
     FROM task_instance WHERE dag_id = ? AND run_id = ?
     ORDER BY CASE WHEN start_date IS NULL THEN 1 ELSE 0 END, start_date, end_date, task_id, map_index`,
    [dagId, run.runId],
  );
  return {
    dag_id: dagId,
    run_id: run.runId,
    state,
    task_instances: tis.map((t) => ({
      task_id: t.task_id,
      map_index: Number(t.map_index),
      state: t.state,
      try_number: Number(t.try_number),
      start_date: t.start_date,
      end_date: t.end_date,
      duration: t.duration === null ? null : Number(t.duration),
      reason: t.end_reason,
    })),
  };
}

/**
 * Drive one existing run to its end in this process (the scheduler's decisions, tasks run one at
 * a time by the in-process executor); returns its final state. Also finishes a cleared run again.
 */
export async function finishRunInProcess(ctx: AppContext, dagId: string, runId: string, echo = false): Promise<string> {
  const executor = new InProcessExecutor(ctx.config, ctx.dataSource, echo);
  const schedulerOptions = { ...resolveSchedulerOptions(ctx.config), idleSleepMs: 200, parallelism: 1 };
  const loop = new SchedulerLoop(ctx, executor, schedulerOptions, null, { onlyRun: { dagId, runId } });
  const runState = async (): Promise<string> => {
    const { records } = await execSql<{ state: string }>(
      ctx.dataSource,
      `SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?`,
      [dagId, runId],
    );
    return records[0].state;
  };
  try {
    for (;;) {
      await loop.tick();
      const state = await runState();
      if (state === 'success' || state === 'failed') return state;
      await loop.waitForWork(schedulerOptions.idleSleepMs);
    }
  } finally {
    await executor.end();
  }
}
