import type { DagRunEntity } from '../db/entities';
import { countDagRuns, findDagRuns } from '../db/reads/dag-run-reads';
import { readRunDeadlines, RunDeadline } from '../db/reads/deadline-reads';
import { requireDag } from './require-dag';
import type { ServiceContext } from './service-context';

export interface ListDagRunsOptions {
  dagId: string;
  states?: string[];
  runType?: string;
  /** Inclusive logical-date range. */
  logicalDateGte?: Date;
  logicalDateLte?: Date;
  /** Newest first by default, as `airflow dags list-runs` shows them. */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export async function listDagRuns(
  ctx: ServiceContext,
  options: ListDagRunsOptions,
): Promise<{ runs: DagRunEntity[]; totalEntries: number; deadlines: Map<string, RunDeadline> }> {
  await requireDag(ctx.dataSource, options.dagId);
  const { order, limit, offset, ...filter } = options;
  const totalEntries = await countDagRuns(ctx.dataSource, filter);
  const runs = await findDagRuns(ctx.dataSource, filter, { order, limit, offset });
  const deadlines = await readRunDeadlines(
    ctx.dataSource,
    options.dagId,
    runs.map((r) => r.runId),
  );
  return { runs, totalEntries, deadlines };
}
