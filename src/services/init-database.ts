import type { DataSource } from 'typeorm';
import { migrate } from '../db/data-source';
import { ensureDefaultPool } from './pools';

export interface InitDatabaseResult {
  /** Migrations applied by this call (empty when the schema was up to date). */
  applied: string[];
  defaultPoolCreated: boolean;
}

/** `dagctl initdb`: run pending migrations and make sure default_pool exists. Idempotent. */
export async function initDatabase(dataSource: DataSource): Promise<InitDatabaseResult> {
  const applied = await migrate(dataSource);
  const defaultPoolCreated = await ensureDefaultPool({ dataSource });
  return { applied, defaultPoolCreated };
}

/** `dagctl db reset`: drop every table (all data is lost), then migrate again. */
export async function resetDatabase(dataSource: DataSource): Promise<InitDatabaseResult> {
  await dataSource.dropDatabase();
  return initDatabase(dataSource);
}
