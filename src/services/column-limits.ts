import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { InvalidArgumentError } from '../core/errors';

/**
 * Refuses a string longer than its `varchar(n)` column, naming the column. PostgreSQL would answer
 * "value too long" (a 500 at the API) and SQLite would store it anyway; both databases now refuse
 * it alike, before anything is written. The limits are read from the entity, so they live once.
 */
export function assertFitsColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  fields: { [K in keyof T]?: unknown },
): void {
  const metadata = dataSource.getMetadata(entity);
  for (const [property, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const column = metadata.findColumnWithPropertyName(property);
    const limit = column?.length ? Number(column.length) : NaN;
    // varchar(n) counts characters, not UTF-16 units: an emoji is one.
    const length = value.length > limit ? [...value].length : 0;
    if (column && length > limit)
      throw new InvalidArgumentError(
        `field '${column.databaseName}' is ${length} characters long: at most ${limit} are allowed`,
      );
  }
}
