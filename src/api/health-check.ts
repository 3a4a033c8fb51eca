import type { AppContext } from '../app/app-context';
import { execSql } from '../db/sql';

/** A scheduler whose last heartbeat is older than this is reported unhealthy (Airflow's default). */
export const SCHEDULER_HEALTH_THRESHOLD_MS = 30_000;

export type HealthStatus = 'healthy' | 'unhealthy';

export interface HealthInfo {
  metadatabase: { status: HealthStatus };
  scheduler: { status: HealthStatus; latest_scheduler_heartbeat: string | null };
  triggerer: { status: HealthStatus | null; latest_triggerer_heartbeat: string | null };
}

/** Airflow's /health: can we reach the DB, and has a scheduler heartbeat recently? */
export async function checkHealth(ctx: AppContext): Promise<HealthInfo> {
  let heartbeat: string | null = null;
  let dbOk = true;
  try {
    const { records } = await execSql<{ hb: string | null }>(
      ctx.dataSource,
      "SELECT MAX(latest_heartbeat) AS hb FROM job WHERE job_type = 'SchedulerJob' AND state = 'running'",
    );
    heartbeat = records[0]?.hb ?? null;
  } catch {
    dbOk = false;
  }
  const fresh =
    heartbeat !== null && ctx.clock.now().getTime() - new Date(heartbeat).getTime() <= SCHEDULER_HEALTH_THRESHOLD_MS;
  return {
    metadatabase: { status: dbOk ? 'healthy' : 'unhealthy' },
    scheduler: { status: fresh ? 'healthy' : 'unhealthy', latest_scheduler_heartbeat: heartbeat },
    // dagctl has no triggerer (no deferrable operators).
    triggerer: { status: null, latest_triggerer_heartbeat: null },
  };
}
