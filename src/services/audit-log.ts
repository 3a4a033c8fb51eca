import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { SecretsMasker } from '../core/secrets-masker';
import { isSensitiveName, MASK } from '../core/sensitive-names';
import { AuditLogEntity } from '../db/entities';
import type { ServiceContext } from './service-context';

export interface AuditEvent {
  event: string;
  dagId?: string | null;
  runId?: string | null;
  taskId?: string | null;
  mapIndex?: number | null;
  /** Who did it: `cli:<os user>` for the CLI, the authenticated user for the API and the UI. */
  actor?: string | null;
  /** What was asked, e.g. the fields changed. Values under sensitive keys are stored as `***`. */
  extra?: Record<string, unknown>;
  /** Values that must not appear in `extra` in any form (a password, a variable's value). */
  secrets?: readonly unknown[];
}

/** `value` with every field whose name is sensitive (password, secret, token…) replaced by `***`. */
function maskSensitiveFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSensitiveFields);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isSensitiveName(key) ? MASK : maskSensitiveFields(inner)]),
  );
}

/** The `extra` text as stored: JSON, sensitive fields and the given secrets masked. */
export function auditExtraText(extra: Record<string, unknown>, secrets: readonly unknown[] = []): string {
  const text = JSON.stringify(maskSensitiveFields(extra));
  if (secrets.length === 0) return text;
  const masker = new SecretsMasker();
  for (const secret of secrets) masker.add(secret);
  return masker.mask(text);
}

/**
 * Append one row to the audit log (Airflow's `log` table, served as `/api/v1/eventLogs`): who
 * changed what, and when. The one writer of that table: the CLI, the API and the UI reach it
 * through the services they call, so a change is logged the same way whichever surface made it.
 */
export async function recordAuditEvent(db: DataSource | EntityManager, clock: Clock, event: AuditEvent): Promise<void> {
  await db.getRepository(AuditLogEntity).insert({
    dttm: clock.now(),
    event: event.event.slice(0, 60),
    dagId: event.dagId ?? null,
    runId: event.runId ?? null,
    taskId: event.taskId ?? null,
    mapIndex: event.mapIndex ?? null,
    owner: event.actor?.slice(0, 500) ?? null,
    extra: event.extra ? auditExtraText(event.extra, event.secrets) : null,
  });
}

/** Record `event` for the change `ctx` made, with `ctx.actor` as its owner unless the event names one. */
export async function auditChange(ctx: ServiceContext, event: AuditEvent): Promise<void> {
  await recordAuditEvent(ctx.dataSource, ctx.clock, { ...event, actor: event.actor ?? ctx.actor });
}
