import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { DagRunEntity } from '../entities';

type Db = DataSource | EntityManager;

/** Which runs of one DAG: the filters of `dags list-runs` and the UI's run lists. */
export interface DagRunFilter {
  dagId: string;
  states?: string[];
  runType?: string;
  /** Inclusive logical-date range. */
  logicalDateGte?: Date;
  logicalDateLte?: Date;
}

export interface DagRunPage {
  /** By logical date (then id); newest first by default. */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

function filtered(db: Db, filter: DagRunFilter): SelectQueryBuilder<DagRunEntity> {
  const query = db
    .getRepository(DagRunEntity)
    .createQueryBuilder('r')
    .where('r.dag_id = :dagId', { dagId: filter.dagId });
  if (filter.states && filter.states.length > 0) query.andWhere('r.state IN (:...states)', { states: filter.states });
  if (filter.runType) query.andWhere('r.run_type = :runType', { runType: filter.runType });
  if (filter.logicalDateGte) query.andWhere('r.logical_date >= :gte', { gte: filter.logicalDateGte.toISOString() });
  if (filter.logicalDateLte) query.andWhere('r.logical_date <= :lte', { lte: filter.logicalDateLte.toISOString() });
  return query;
}

/** The runs of a DAG that match, ordered by logical date (then id), one page of them. */
export async function findDagRuns(db: Db, filter: DagRunFilter, page: DagRunPage = {}): Promise<DagRunEntity[]> {
  const direction = page.order === 'asc' ? 'ASC' : 'DESC';
  const query = filtered(db, filter).orderBy('r.logical_date', direction).addOrderBy('r.id', direction);
  if (page.limit !== undefined) query.take(page.limit);
  if (page.offset !== undefined) query.skip(page.offset);
  return query.getMany();
}

/** How many runs of a DAG match (for paging). */
export async function countDagRuns(db: Db, filter: DagRunFilter): Promise<number> {
  return filtered(db, filter).getCount();
}

/** The latest `limit` runs of a DAG, oldest first: the grid's columns, the DAG list's run dots. */
export async function latestDagRuns(db: Db, dagId: string, limit: number): Promise<DagRunEntity[]> {
  return (await findDagRuns(db, { dagId }, { order: 'desc', limit })).reverse();
}

/** One run by its id within its DAG, or null. */
export async function findDagRun(db: Db, dagId: string, runId: string): Promise<DagRunEntity | null> {
  return db.getRepository(DagRunEntity).findOneBy({ dagId, runId });
}
