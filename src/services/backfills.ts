import type { AppContext } from '../app/app-context';
import { InvalidArgumentError, NotFoundError, StateConflictError, UserError } from '../core/errors';
import { resolveRunParams } from '../core/resolve-run-params';
import { BackfillView, readBackfill, readBackfills } from '../db/reads/backfill-reads';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { execSql } from '../db/sql';
import {
  BackfillInterval,
  cancelBackfill,
  recordBackfill,
  setBackfillPaused,
} from '../db/transitions/backfill-transitions';
import { notifySchedulers } from '../scheduler/external-change-watcher';
import { DagRunInfo, timetableFromSpec } from '../timetables';
import { auditChange } from './audit-log';
import type { ServiceContext } from './service-context';

const MAX_BACKFILL_RUNS = 10_000;

export interface BackfillRequest {
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reverse?: boolean;
  /** Default: the DAG's max_active_runs. */
  maxActiveRuns?: number;
  rerunFailedTasks?: boolean;
  resetDagruns?: boolean;
  dagRunConf?: Record<string, unknown> | null;
}

/** What a backfill would do with one date (a dry run's answer). */
export interface PlannedInterval extends BackfillInterval {
  /** `create`: no run yet; `clear`: an existing run is cleared and re-run; `skip`: left alone. */
  action: 'create' | 'clear' | 'skip';
  existingRunId: string | null;
}

export interface BackfillPlan {
  dagId: string;
  maxActiveRuns: number;
  /** In the order the runs would be created. */
  intervals: PlannedInterval[];
}

/**
 * Check a backfill request and list its intervals — every schedule interval whose logical date
 * lies in [from, to], within the DAG's own start and end dates — with what would happen to each.
 */
export async function planBackfill(ctx: AppContext, request: BackfillRequest): Promise<BackfillPlan> {
  const { dagId, fromDate, toDate } = request;
  if (Number.isNaN(fromDate.getTime()) || Number.isNaN(toDate.getTime()))
    throw new InvalidArgumentError('backfill from and to dates must be valid dates');
  if (fromDate > toDate) throw new InvalidArgumentError('backfill start date is after its end date');
  if (request.rerunFailedTasks && request.resetDagruns)
    throw new InvalidArgumentError('choose one of rerun_failed_tasks and reset_dagruns');
  if (request.maxActiveRuns !== undefined && (!Number.isInteger(request.maxActiveRuns) || request.maxActiveRuns < 1))
    throw new InvalidArgumentError('max_active_runs must be a whole number of at least 1');
  const conf = request.dagRunConf ?? {};
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf))
    throw new InvalidArgumentError('dag_run_conf must be a JSON object');
  const { dag } = await requireSerializedDag(ctx.dataSource, dagId);
  resolveRunParams({
    dagId,
    defaults: dag.params ?? {},
    specs: dag.paramSpecs ?? {},
    conf,
    confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
  });
  const timetable = timetableFromSpec(dag.schedule);
  if (!timetable.periodic)
    throw new UserError(`DAG '${dagId}' has no schedule (${dag.scheduleText ?? 'None'}): nothing to backfill`);
  const dagStart = dag.startDate ? new Date(dag.startDate) : null;
  const dagEnd = dag.endDate ? new Date(dag.endDate) : null;
  const earliest = dagStart && dagStart > fromDate ? dagStart : fromDate;
  const latest = dagEnd && dagEnd < toDate ? dagEnd : toDate;
  const restriction = { earliest, latest, catchup: true };

  const infos: DagRunInfo[] = [];
  let previous: DagRunInfo['dataInterval'] | null = null;
  for (;;) {
    const info = timetable.nextDagRunInfo(previous, restriction, ctx.clock.now());
    if (!info || info.logicalDate > latest) break;
    if (previous && info.dataInterval.start <= previous.start) break;
    infos.push(info);
    if (infos.length > MAX_BACKFILL_RUNS)
      throw new InvalidArgumentError(`backfill range holds more than ${MAX_BACKFILL_RUNS} runs: use a shorter range`);
    previous = info.dataInterval;
  }
  const existing = await execSql<{ run_id: string; logical_date: string; state: string }>(
    ctx.dataSource,
    `SELECT run_id, logical_date, state FROM dag_run WHERE dag_id = ? AND logical_date >= ? AND logical_date <= ?`,
    [dagId, earliest.toISOString(), latest.toISOString()],
  );
  const byDate = new Map(existing.records.map((r) => [new Date(r.logical_date).getTime(), r]));
  const intervals: PlannedInterval[] = infos.map(({ logicalDate, dataInterval }) => {
    const run = byDate.get(logicalDate.getTime());
    const finished = run && (run.state === 'success' || run.state === 'failed');
    // The scheduler decides for sure when it reaches the date; a rerun clears only failed tasks.
    const action = !run
      ? 'create'
      : finished && (request.resetDagruns || (request.rerunFailedTasks && run.state === 'failed'))
        ? 'clear'
        : 'skip';
    return {
      logicalDate,
      start: dataInterval.start,
      end: dataInterval.end,
      action,
      existingRunId: run?.run_id ?? null,
    };
  });
  if (request.reverse) intervals.reverse();
  return { dagId, maxActiveRuns: request.maxActiveRuns ?? dag.maxActiveRuns, intervals };
}

/** Record a backfill for the scheduler to run; returns it with its (empty) progress. */
export async function createBackfill(ctx: AppContext, request: BackfillRequest): Promise<BackfillView> {
  const plan = await planBackfill(ctx, request);
  if (!plan.intervals.length) throw new InvalidArgumentError(`no schedule interval of DAG '${request.dagId}' in range`);
  const oldestFirst = [...plan.intervals].sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());
  const id = await recordBackfill(
    ctx.dataSource,
    {
      dagId: request.dagId,
      fromDate: request.fromDate,
      toDate: request.toDate,
      reverse: Boolean(request.reverse),
      maxActiveRuns: plan.maxActiveRuns,
      rerunFailedTasks: Boolean(request.rerunFailedTasks),
      resetDagruns: Boolean(request.resetDagruns),
      dagRunConf: request.dagRunConf ?? null,
      intervals: oldestFirst,
    },
    ctx.clock.now(),
  );
  await auditChange(ctx, {
    event: 'backfill',
    dagId: request.dagId,
    extra: {
      backfill_id: id,
      from_date: request.fromDate.toISOString(),
      to_date: request.toDate.toISOString(),
      intervals: plan.intervals.length,
    },
  });
  await notifySchedulers(ctx.dataSource);
  return requireBackfill(ctx, id);
}

export async function listBackfills(
  ctx: ServiceContext,
  query: { dagId?: string; limit?: number; offset?: number } = {},
): Promise<{ backfills: BackfillView[]; total: number }> {
  return readBackfills(ctx.dataSource, query);
}

export async function requireBackfill(ctx: ServiceContext, id: number): Promise<BackfillView> {
  const found = await readBackfill(ctx.dataSource, id);
  if (!found) throw new NotFoundError(`backfill ${id} not found`);
  return found;
}

/** Pause (no new run is created or started) or unpause a backfill that has not completed. */
export async function setBackfillPausedByHand(ctx: ServiceContext, id: number, paused: boolean): Promise<BackfillView> {
  const before = await requireBackfill(ctx, id);
  if (before.completedAt)
    throw new StateConflictError(`backfill ${id} is ${before.cancelled ? 'cancelled' : 'completed'}`);
  if (await setBackfillPaused(ctx.dataSource, id, paused, ctx.clock.now())) {
    await auditChange(ctx, {
      event: paused ? 'backfill paused' : 'backfill unpaused',
      dagId: before.dagId,
      extra: { backfill_id: id },
    });
    if (!paused) await notifySchedulers(ctx.dataSource);
  }
  return requireBackfill(ctx, id);
}

/** Cancel: no new run; its queued runs are failed; running runs finish (Airflow 3). */
export async function cancelBackfillByHand(ctx: ServiceContext, id: number): Promise<BackfillView> {
  const before = await requireBackfill(ctx, id);
  const failed = await cancelBackfill(ctx.dataSource, id, ctx.clock.now());
  if (failed === null)
    throw new StateConflictError(`backfill ${id} is already ${before.cancelled ? 'cancelled' : 'completed'}`);
  await auditChange(ctx, {
    event: 'backfill cancelled',
    dagId: before.dagId,
    extra: { backfill_id: id, queued_runs_failed: failed },
  });
  return requireBackfill(ctx, id);
}

/** The JSON shape of a backfill (CLI and API alike: Airflow 3's fields plus progress). */
export function backfillJson(b: BackfillView): Record<string, unknown> {
  return {
    id: b.id,
    dag_id: b.dagId,
    from_date: b.fromDate.toISOString(),
    to_date: b.toDate.toISOString(),
    run_backwards: b.reverse,
    max_active_runs: b.maxActiveRuns,
    rerun_failed_tasks: b.rerunFailedTasks,
    reset_dagruns: b.resetDagruns,
    dag_run_conf: b.dagRunConf ?? {},
    is_paused: b.isPaused,
    cancelled: b.cancelled,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
    completed_at: b.completedAt ? b.completedAt.toISOString() : null,
    total_intervals: b.total,
    pending_intervals: b.pending,
    skipped_intervals: b.skipped,
    runs: b.runs,
  };
}
