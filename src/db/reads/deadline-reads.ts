import type { DataSource, EntityManager } from 'typeorm';
import { chunk, execSql } from '../sql';

export interface RunDeadline {
  /** When the run had to be finished by. */
  deadline: Date;
  /** When the miss was recorded; null: not missed (yet). */
  missedAt: Date | null;
}

/** The deadlines of these runs of a DAG, by run id (runs without a deadline are absent). */
export async function readRunDeadlines(
  db: DataSource | EntityManager,
  dagId: string,
  runIds: string[],
): Promise<Map<string, RunDeadline>> {
  const out = new Map<string, RunDeadline>();
  for (const part of chunk(runIds, 400)) {
    const { records } = await execSql<{ run_id: string; deadline_time: string; missed_at: string | null }>(
      db,
      `SELECT run_id, deadline_time, missed_at FROM deadline
       WHERE dag_id = ? AND run_id IN (${part.map(() => '?').join(', ')})`,
      [dagId, ...part],
    );
    for (const r of records)
      out.set(r.run_id, { deadline: new Date(r.deadline_time), missedAt: r.missed_at ? new Date(r.missed_at) : null });
  }
  return out;
}
