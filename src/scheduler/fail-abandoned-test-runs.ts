import os from 'node:os';
import { Brackets, DataSource } from 'typeorm';
import { isProcessRunning } from '../core/process-table';
import { DagRunType, FINISHED_TASK_STATES, TaskState } from '../core/states';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { markAbandonedDagRunFailed } from '../db/transitions/dag-run-transitions';
import { markTaskInstancesByHand } from '../db/transitions/mark-task-instances-by-hand';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

/**
 * A `dags test` run is driven by its own CLI process and skipped by every scheduler, so when that
 * process is killed the run would stay queued or running forever. Fails each such run whose owner
 * process is gone from this host (only this host can tell): its queued and running tries fail with
 * the reason, its other unfinished task instances are skipped, as "mark run as failed" does. A pid
 * reused by another process keeps the run as it is, which errs on the side of not failing a live
 * run. Returns how many runs were failed.
 */
export async function failAbandonedTestRuns(ds: DataSource, now: Date): Promise<number> {
  const hostname = os.hostname();
  const { records } = await execSql<{ id: number; dag_id: string; run_id: string; owner_pid: number }>(
    ds,
    `SELECT id, dag_id, run_id, owner_pid FROM dag_run
     WHERE run_type = ? AND state IN ('queued', 'running') AND owner_hostname = ? AND owner_pid IS NOT NULL`,
    [DagRunType.TEST, hostname],
  );
  let failed = 0;
  for (const run of records) {
    const pid = Number(run.owner_pid);
    if (pid === process.pid || isProcessRunning(pid)) continue;
    const reason = `the 'dags test' process that ran it (pid ${pid} on ${hostname}) is gone`;
    const key = { dagId: run.dag_id, runId: run.run_id };
    const moved = await runInTransaction(ds, async (m) => {
      if (!(await markAbandonedDagRunFailed(m, Number(run.id), { hostname, pid }, reason, now))) return false;
      const active = new Brackets((qb) =>
        qb.where('state IN (:...active)', { active: [TaskState.QUEUED, TaskState.RUNNING] }),
      );
      await markTaskInstancesByHand(m, key, { to: TaskState.FAILED, guard: active, endReason: reason }, now);
      const unfinished = new Brackets((qb) =>
        qb.where('state IS NULL').orWhere('state NOT IN (:...finished)', { finished: FINISHED_TASK_STATES }),
      );
      await markTaskInstancesByHand(m, key, { to: TaskState.SKIPPED, guard: unfinished }, now);
      return true;
    });
    if (moved) {
      failed += 1;
      log.warn(`failed test run ${run.run_id} of DAG ${run.dag_id}: ${reason}`);
    }
  }
  return failed;
}
