import type { EntityManager } from 'typeorm';
import { ImportErrorEntity } from '../db/entities';

/** Set (or, with `error` null, clear) the import error of one file; idempotent. */
export async function recordImportError(
  em: EntityManager,
  filename: string,
  error: string | null,
  now: Date,
): Promise<void> {
  if (error === null) {
    await em
      .createQueryBuilder()
      .delete()
      .from(ImportErrorEntity)
      .where('filename = :filename', { filename })
      .execute();
    return;
  }
  await em
    .createQueryBuilder()
    .insert()
    .into(ImportErrorEntity)
    .values({ filename, stacktrace: error, timestamp: now })
    .orUpdate(['stacktrace', 'timestamp'], ['filename'])
    .execute();
}
