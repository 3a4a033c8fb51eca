import type { AppContext } from '../app/app-context';
import { DagRunType } from '../core/states';
import { execSql } from '../db/sql';
import { InProcessExecutor } from '../executors/in-process-executor';
import { SchedulerLoop } from '../scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../scheduler/scheduler-options';
import { triggerDagRun } from './trigger-dag-run';

export interface DagTestResult {
  dag_id: string;
  run_id: string;
  state: string;
  task_instances: Array<{ task_id: string; state: string | null; try_number: number }>;
}

/**
 * `dagctl dags test`: one whole run of a DAG in this process, with the scheduler's own decision
 * code (trigger rules, retries, branching) but tasks run in-process, one at a time. Other runs
 * in the database are not touched: only this run's DAG is looked at and no scheduler job runs.
 * Its run_type is 'test', which every query of a running scheduler skips: the run is this
 * process's alone.
 */
export async function testDag(
  ctx: AppContext,
  dagId: string,
  options: { logicalDate?: Date; conf?: Record<string, unknown>; echo?: boolean } = {},
): Promise<DagTestResult> {
  const now = ctx.clock.now();
  const run = await triggerDagRun(ctx, {
    dagId,
    conf: options.conf,
    logicalDate: options.logicalDate ?? now,
    runId: `test__${(options.logicalDate ?? now).toISOString()}`,
    runType: DagRunType.TEST,
  });
  const executor = new InProcessExecutor(ctx.config, ctx.dataSource, options.echo ?? false);
  const schedulerOptions = { ...resolveSchedulerOptions(ctx.config), idleSleepMs: 200, parallelism: 1 };
  const loop = new SchedulerLoop(ctx, executor, schedulerOptions, null, { onlyRun: { dagId, runId: run.runId } });
  for (;;) {
    await loop.tick();
    const { records } = await execSql<{ state: string }>(ctx.dataSource, `SELECT state FROM dag_run WHERE id = ?`, [
      run.id,
    ]);
    if (records[0].state === 'success' || records[0].state === 'failed') break;
    await loop.waitForWork(schedulerOptions.idleSleepMs);
  }
  await executor.end();
  const { records: run2 } = await execSql<{ state: string }>(ctx.dataSource, `SELECT state FROM dag_run WHERE id = ?`, [
    run.id,
  ]);
  const { records: tis } = await execSql<{ task_id: string; state: string | null; try_number: number }>(
    ctx.dataSource,
    `SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ? ORDER BY task_id`,
    [dagId, run.runId],
  );
  return {
    dag_id: dagId,
    run_id: run.runId,
    state: run2[0].state,
    task_instances: tis.map((t) => ({ task_id: t.task_id, state: t.state, try_number: Number(t.try_number) })),
  };
}
