import type { DataSource, EntityManager } from 'typeorm';
import { execSql, sqlBool } from './sql';

/** A query that finds rows when there is something to do (`SELECT 1 FROM … WHERE …`), `?` placeholders. */
export interface ExistsCondition {
  sql: string;
  params: unknown[];
}

/**
 * Asks several "is there anything?" questions in ONE statement (`SELECT EXISTS (…) AS a, EXISTS
 * (…) AS b`) and says which found rows. A null condition is not asked and answers false; with none
 * to ask, no statement runs. What a periodic check costs when there is nothing to check (the
 * usual case on an idle scheduler) is then one statement for all of them instead of one each.
 */
export async function whichExist<K extends string>(
  db: DataSource | EntityManager,
  conditions: Record<K, ExistsCondition | null>,
): Promise<Record<K, boolean>> {
  const names = Object.keys(conditions) as K[];
  const asked = names.filter((name) => conditions[name] !== null);
  const found = Object.fromEntries(names.map((name) => [name, false])) as Record<K, boolean>;
  if (asked.length === 0) return found;
  const { records } = await execSql<Record<string, unknown>>(
    db,
    `SELECT ${asked.map((name, i) => `EXISTS (${conditions[name]!.sql}) AS c${i}`).join(', ')}`,
    asked.flatMap((name) => conditions[name]!.params),
  );
  asked.forEach((name, i) => {
    found[name] = sqlBool(records[0]?.[`c${i}`]);
  });
  return found;
}
