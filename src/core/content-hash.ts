import { createHash } from 'node:crypto';

/** Hex SHA-256 of a text: the dag_hash of serialized DAGs and the change check of DAG files. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
