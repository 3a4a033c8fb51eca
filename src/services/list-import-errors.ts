import { ImportErrorEntity } from '../db/entities';
import type { ServiceContext } from './service-context';

export interface ImportErrorRecord {
  id: number;
  filename: string;
  error: string;
  timestamp: Date | null;
}

/** Files that failed to load as DAGs, with the reason the parser recorded. */
export async function listImportErrors(
  ctx: ServiceContext,
  options: { limit?: number; offset?: number } = {},
): Promise<ImportErrorRecord[]> {
  const rows = await ctx.dataSource
    .getRepository(ImportErrorEntity)
    .find({ order: { filename: 'ASC' }, take: options.limit, skip: options.offset });
  return rows.map((row) => ({ id: row.id, filename: row.filename, error: row.stacktrace, timestamp: row.timestamp }));
}
