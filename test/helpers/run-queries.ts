import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { waitFor } from './dagctl-home';

/** taskId → state and try number of one run. */
export async function runStates(ctx: AppContext, dagId: string, runId: string): Promise<Record<string, { state: string | null; tries: number }>> {
  const { records } = await execSql<{ task_id: string; state: string | null; try_number: number }>(ctx.dataSource,
    'SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?', [dagId, runId]);
  return Object.fromEntries(records.map((r) => [r.task_id, { state: r.state, tries: Number(r.try_number) }]));
}

/** Wait until the run is success or failed, and return which. */
export async function waitForRun(ctx: AppContext, dagId: string, runId: string, timeoutMs = 150_000): Promise<string> {
  return waitFor(`run ${dagId}/${runId} to finish`, async () => {
    const { records } = await execSql<{ state: string }>(ctx.dataSource, 'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?', [dagId, runId]);
    return records[0] && ['success', 'failed'].includes(records[0].state) ? records[0].state : undefined;
  }, timeoutMs, 200);
}
