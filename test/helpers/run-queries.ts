import type { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { waitFor } from './dagctl-home';

/** taskId → state and try number of one run. */
export async function runStates(
  ctx: AppContext,
  dagId: string,
  runId: string,
): Promise<Record<string, { state: string | null; tries: number }>> {
  const { records } = await execSql<{ task_id: string; state: string | null; try_number: number }>(
    ctx.dataSource,
    'SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?',
    [dagId, runId],
  );
  return Object.fromEntries(records.map((r) => [r.task_id, { state: r.state, tries: Number(r.try_number) }]));
}

/** The run's state once it is success or failed, else undefined (also while it does not exist): a `waitFor` check. */
export async function finishedRunState(ds: DataSource, dagId: string, runId: string): Promise<string | undefined> {
  const { records } = await execSql<{ state: string }>(
    ds,
    'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?',
    [dagId, runId],
  );
  return records[0] && ['success', 'failed'].includes(records[0].state) ? records[0].state : undefined;
}

/** Wait until the run is success or failed, and return which. */
export async function waitForRun(ctx: AppContext, dagId: string, runId: string, timeoutMs = 150_000): Promise<string> {
  return waitFor(
    `run ${dagId}/${runId} to finish`,
    () => finishedRunState(ctx.dataSource, dagId, runId),
    timeoutMs,
    200,
  );
}

/** How many task instances of the DAG are running now (in any run). */
export async function runningTaskCount(ds: DataSource, dagId: string): Promise<number> {
  const { records } = await execSql<{ n: number }>(
    ds,
    'SELECT COUNT(*) AS n FROM task_instance WHERE dag_id = ? AND state = ?',
    [dagId, 'running'],
  );
  return Number(records[0].n);
}

/** Wait until at least `count` DAGs are parsed (serialized), so they can be triggered; timing as in `waitFor`. */
export async function waitForParsedDags(
  ds: DataSource,
  count: number,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<void> {
  await waitFor(
    `${count} DAGs to be parsed`,
    async () => {
      const { records } = await execSql<{ n: number }>(ds, 'SELECT COUNT(*) AS n FROM serialized_dag');
      return Number(records[0].n) >= count ? true : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}
