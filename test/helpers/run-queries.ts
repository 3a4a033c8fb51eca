import type { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { eventually } from './eventually';

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

/** The run's state once it is success or failed; throws saying what it is while it is not (an `eventually` check). */
export async function finishedRunState(ds: DataSource, dagId: string, runId: string): Promise<string> {
  const { records } = await execSql<{ state: string }>(
    ds,
    'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?',
    [dagId, runId],
  );
  const state = records[0]?.state;
  if (state !== 'success' && state !== 'failed') throw new Error(`run ${dagId}/${runId} is ${state ?? 'not created'}`);
  return state;
}

/** Wait until the run is success or failed, and return which. */
export async function waitForRun(ctx: AppContext, dagId: string, runId: string, timeoutMs = 150_000): Promise<string> {
  return eventually(() => finishedRunState(ctx.dataSource, dagId, runId), {
    what: `run ${dagId}/${runId} to finish`,
    timeoutMs,
    intervalMs: 200,
  });
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

/** Wait until at least `count` DAGs are parsed (serialized), so they can be triggered. */
export async function waitForParsedDags(ds: DataSource, count: number, timeoutMs = 60_000): Promise<void> {
  await eventually(
    async () => {
      const { records } = await execSql<{ n: number }>(ds, 'SELECT COUNT(*) AS n FROM serialized_dag');
      if (Number(records[0].n) < count) throw new Error(`${records[0].n} parsed`);
    },
    { what: `${count} DAGs to be parsed`, timeoutMs, intervalMs: 100 },
  );
}
