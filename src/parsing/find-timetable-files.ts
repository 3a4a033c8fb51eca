import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';

/**
 * Files defining a DAG with a custom timetable class: the scheduler reads the runs that class
 * gave when the file was parsed, up to a horizon, so the processor parses these files again on
 * every full recheck (`scheduler.dag_file_recheck_interval`) to move the horizon forward.
 */
export async function findTimetableFiles(dataSource: DataSource): Promise<string[]> {
  const { records } = await execSql<{ fileloc: string }>(
    dataSource,
    `SELECT DISTINCT fileloc FROM serialized_dag WHERE data LIKE ?`,
    ['%"schedule":{"kind":"precomputed"%'],
  );
  return records.map((r) => r.fileloc);
}
