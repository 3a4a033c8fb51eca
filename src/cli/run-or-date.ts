import type { AppContext } from '../app/app-context';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import type { DagRunEntity } from '../db/entities';
import { findDagRun, findDagRuns } from '../db/reads/dag-run-reads';
import { parseDateArg } from './parse-args';

/**
 * What Airflow's `EXECUTION_DATE_OR_RUN_ID` argument names: a run of the DAG (when the text is one
 * of its run ids, which wins) or a logical date, with the run at that date if there is one.
 */
export interface RunOrDate {
  run: DagRunEntity | null;
  logicalDate: Date | null;
}

/** Resolve the text; bad text (neither a run id nor a date) is an InvalidArgumentError (exit 2). */
export async function resolveRunOrDate(ctx: AppContext, dagId: string, text: string): Promise<RunOrDate> {
  const byId = await findDagRun(ctx.dataSource, dagId, text);
  if (byId) return { run: byId, logicalDate: byId.logicalDate };
  let logicalDate: Date;
  try {
    logicalDate = parseDateArg(text, 'logical date');
  } catch {
    throw new InvalidArgumentError(
      `'${text}' is neither a run id of DAG '${dagId}' nor a logical date (ISO 8601 like 2026-01-01)`,
    );
  }
  const [byDate] = await findDagRuns(
    ctx.dataSource,
    { dagId, logicalDateGte: logicalDate, logicalDateLte: logicalDate },
    { limit: 1 },
  );
  return { run: byDate ?? null, logicalDate };
}

/** Like resolveRunOrDate, but the run must exist (`dags state`, `tasks state`). */
export async function requireRunOrDate(ctx: AppContext, dagId: string, text: string): Promise<DagRunEntity> {
  const { run } = await resolveRunOrDate(ctx, dagId, text);
  if (!run)
    throw new NotFoundError(
      `DAG run '${text}' of DAG '${dagId}' not found (neither a run id nor a logical date of a run)`,
    );
  return run;
}
