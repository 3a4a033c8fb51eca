import { DagEntity } from '../db/entities';
import type { ServiceContext } from './service-context';

export interface ListDagsOptions {
  /** Only DAGs whose file still defines them (default true), like `airflow dags list`. */
  onlyActive?: boolean;
  paused?: boolean;
  /** Substring of the DAG id (the REST API's dag_id_pattern). */
  dagIdPattern?: string;
  /** DAGs having any of these tags. */
  tags?: string[];
  limit?: number;
  offset?: number;
}

export interface ListDagsResult {
  dags: DagEntity[];
  /** Matching DAGs before limit/offset. */
  totalEntries: number;
}

export async function listDags(ctx: ServiceContext, options: ListDagsOptions = {}): Promise<ListDagsResult> {
  const query = ctx.dataSource.getRepository(DagEntity).createQueryBuilder('d').orderBy('d.dag_id', 'ASC');
  if (options.onlyActive ?? true) query.andWhere('d.is_active = :active', { active: true });
  if (options.paused !== undefined) query.andWhere('d.is_paused = :paused', { paused: options.paused });
  if (options.dagIdPattern)
    query.andWhere('d.dag_id LIKE :pattern', { pattern: `%${options.dagIdPattern.replace(/[%_]/g, '')}%` });
  let dags = await query.getMany();
  // Tags are a JSON column: filter in memory (DAG counts are small).
  if (options.tags && options.tags.length > 0)
    dags = dags.filter((dag) => (dag.tags ?? []).some((tag) => options.tags?.includes(tag)));
  const totalEntries = dags.length;
  const offset = options.offset ?? 0;
  return { dags: dags.slice(offset, options.limit !== undefined ? offset + options.limit : undefined), totalEntries };
}
