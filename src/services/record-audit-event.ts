import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { AuditLogEntity } from '../db/entities';

export interface AuditEvent {
  event: string;
  dagId?: string | null;
  runId?: string | null;
  taskId?: string | null;
  /** Who did it: the CLI's OS user or the web user. */
  actor?: string | null;
  extra?: Record<string, unknown>;
}

/** Append one row to the audit log (Airflow's `log` table): who changed what, and when. */
export async function recordAuditEvent(db: DataSource | EntityManager, clock: Clock, event: AuditEvent): Promise<void> {
  await db.getRepository(AuditLogEntity).insert({
    dttm: clock.now(),
    event: event.event,
    dagId: event.dagId ?? null,
    runId: event.runId ?? null,
    taskId: event.taskId ?? null,
    owner: event.actor ?? null,
    extra: event.extra ? JSON.stringify(event.extra) : null,
  });
}
