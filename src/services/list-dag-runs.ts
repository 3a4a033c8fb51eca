import { DagRunEntity } from '../db/entities';
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
): Promise<{ runs: DagRunEntity[]; totalEntries: number }> {
  await requireDag(ctx.dataSource, options.dagId);
  const query = ctx.dataSource
    .getRepository(DagRunEntity)
    .createQueryBuilder('r')
    .where('r.dag_id = :dagId', { dagId: options.dagId });
  if (options.states && options.states.length > 0)
    query.andWhere('r.state IN (:...states)', { states: options.states });
  if (options.runType) query.andWhere('r.run_type = :runType', { runType: options.runType });
  if (options.logicalDateGte) query.andWhere('r.logical_date >= :gte', { gte: options.logicalDateGte.toISOString() });
  if (options.logicalDateLte) query.andWhere('r.logical_date <= :lte', { lte: options.logicalDateLte.toISOString() });
  const totalEntries = await query.getCount();
  const direction = options.order === 'asc' ? 'ASC' : 'DESC';
  query.orderBy('r.logical_date', direction).addOrderBy('r.id', direction);
  if (options.limit !== undefined) query.take(options.limit);
  if (options.offset !== undefined) query.skip(options.offset);
  return { runs: await query.getMany(), totalEntries };
}
