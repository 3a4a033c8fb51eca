import type { DataSource } from 'typeorm';
import { DagEntity, ImportErrorEntity, SerializedDagEntity } from '../../../db/entities';
import { latestDagRuns } from '../../../db/reads/dag-run-reads';
import type { SerializedDag } from '../../../core/serialized-dag';
import { describeSchedule } from './describe-schedule';

export interface DagListRow {
  dagId: string;
  description: string | null;
  tags: string[];
  owner: string | null;
  scheduleText: string | null;
  scheduleWords: string;
  isPaused: boolean;
  /** Paused with drain: running runs finish, no new run. */
  isDraining: boolean;
  nextDagrun: Date | null;
  /** Up to `runsShown` latest runs, oldest first. */
  lastRuns: Array<{ runId: string; state: string; logicalDate: Date }>;
}

export interface ImportErrorRow {
  filename: string;
  error: string;
  timestamp: Date | null;
}

export async function listDagRows(dataSource: DataSource, runsShown = 8): Promise<DagListRow[]> {
  const dags = await dataSource.getRepository(DagEntity).find({ where: { isActive: true }, order: { dagId: 'ASC' } });
  const serialized = await dataSource.getRepository(SerializedDagEntity).find();
  const byId = new Map(serialized.map((row) => [row.dagId, JSON.parse(row.data) as SerializedDag]));
  const rows: DagListRow[] = [];
  for (const model of dags) {
    const dag = byId.get(model.dagId);
    const latest = await latestDagRuns(dataSource, model.dagId, runsShown);
    rows.push({
      dagId: model.dagId,
      description: dag?.description ?? model.description,
      tags: dag?.tags ?? model.tags ?? [],
      owner: dag?.owner ?? model.owners,
      scheduleText: dag?.scheduleText ?? model.schedule,
      scheduleWords: describeSchedule(dag?.schedule),
      isPaused: model.isPaused,
      isDraining: model.isDraining,
      nextDagrun: model.nextDagrun,
      lastRuns: latest.map((run) => ({ runId: run.runId, state: run.state, logicalDate: run.logicalDate })),
    });
  }
  return rows;
}

export async function listImportErrors(dataSource: DataSource): Promise<ImportErrorRow[]> {
  const rows = await dataSource.getRepository(ImportErrorEntity).find({ order: { filename: 'ASC' } });
  return rows.map((row) => ({ filename: row.filename, error: row.stacktrace, timestamp: row.timestamp }));
}
