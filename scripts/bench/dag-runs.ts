import { AppContext, engine } from './engine';

const TASK_TIMES_SQL =
  'SELECT task_id, state, queued_dttm, start_date, end_date FROM task_instance WHERE dag_id = ? AND run_id = ? ' +
  'ORDER BY task_id';
import { waitUntil } from './wait-until';

export interface FinishedRun {
  state: string;
  /** When the bench called triggerDagRun (epoch ms, this machine's clock). */
  triggeredAt: number;
  startedAt: number;
  endedAt: number;
}

export interface TaskTimes {
  taskId: string;
  state: string;
  /** When the scheduler queued it (queued_dttm). */
  queued: number;
  start: number;
  end: number;
}

/** The run did not finish in time: how far it got. */
export class RunTimeout extends Error {
  constructor(
    readonly triggeredAt: number,
    readonly timeoutMs: number,
    readonly finishedTasks: number,
    readonly totalTasks: number,
    what: string,
  ) {
    super(
      `${what} did not finish within ${Math.round(timeoutMs / 1000)} s ` +
        `(${finishedTasks} of ${totalTasks} tasks finished)`,
    );
  }
}

const parseIso = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : Number.NaN);

/**
 * Trigger a run the way `dagctl trigger` does (triggerDagRun in this process, which also wakes
 * the scheduler) and wait for it to finish. The figures use the run's end_date written by the
 * scheduler, so the polling interval here does not add to them.
 */
export async function triggerAndWait(
  ctx: AppContext,
  dagId: string,
  runId: string,
  timeoutMs: number,
): Promise<FinishedRun> {
  const { triggerDagRun } = engine.trigger();
  const triggeredAt = Date.now();
  await triggerDagRun(ctx, { dagId, runId });
  let row;
  try {
    row = await waitUntil(
      `run ${runId} of ${dagId} to finish`,
      async () => {
        const { records } = await engine
          .sql()
          .execSql<{ state: string; start_date: string | null; end_date: string | null }>(
            ctx.dataSource,
            'SELECT state, start_date, end_date FROM dag_run WHERE dag_id = ? AND run_id = ?',
            [dagId, runId],
          );
        const r = records[0];
        return r && (r.state === 'success' || r.state === 'failed') ? r : undefined;
      },
      timeoutMs,
      25,
    );
  } catch (err) {
    const tasks = await taskTimes(ctx, dagId, runId).catch(() => []);
    const finished = tasks.filter((t) => ['success', 'failed', 'skipped', 'upstream_failed'].includes(t.state)).length;
    throw new RunTimeout(triggeredAt, timeoutMs, finished, tasks.length, `run ${runId} of ${dagId}`);
  }
  if (row.state !== 'success')
    throw new Error(`run ${runId} of ${dagId} ended ${row.state}: ${await failedTasks(ctx, dagId, runId)}`);
  return { state: row.state, triggeredAt, startedAt: parseIso(row.start_date), endedAt: parseIso(row.end_date) };
}

async function failedTasks(ctx: AppContext, dagId: string, runId: string): Promise<string> {
  const { records } = await engine.sql().execSql<{ task_id: string; state: string; end_reason: string | null }>(
    ctx.dataSource,
    `SELECT task_id, state, end_reason FROM task_instance
       WHERE dag_id = ? AND run_id = ? AND state <> 'success' LIMIT 3`,
    [dagId, runId],
  );
  return (
    records.map((r) => `${r.task_id} ${r.state}${r.end_reason ? ` (${r.end_reason})` : ''}`).join('; ') ||
    'no failed task'
  );
}

/** Start/end timestamps of every task instance of a run (written from the executor's events). */
export async function taskTimes(ctx: AppContext, dagId: string, runId: string): Promise<TaskTimes[]> {
  const { records } = await engine.sql().execSql<{
    task_id: string;
    state: string;
    queued_dttm: string | null;
    start_date: string | null;
    end_date: string | null;
  }>(ctx.dataSource, TASK_TIMES_SQL, [dagId, runId]);
  return records.map((r) => ({
    taskId: r.task_id,
    state: r.state,
    queued: parseIso(r.queued_dttm),
    start: parseIso(r.start_date),
    end: parseIso(r.end_date),
  }));
}
