import type { AppContext } from '../app/app-context';
import { DagRunExistsError, InvalidArgumentError, UserError } from '../core/errors';
import { DagRunEntity } from '../db/entities';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { DagRunInfo, timetableFromSpec } from '../timetables';
import { triggerDagRun } from './parts';

const MAX_BACKFILL_RUNS = 10_000;

export interface BackfillResult {
  /** Runs created by this call. */
  created: DagRunEntity[];
  /** Logical dates in range that already had a run (left alone). */
  existing: Date[];
  /** Logical dates that had no run: created now, or only listed in a dry run. */
  planned: Date[];
}

/**
 * Create one backfill run for every schedule interval whose logical date lies in [start, end],
 * within the DAG's own start/end dates. Idempotent: intervals that already have a run are skipped,
 * so running the same backfill twice creates nothing new. The scheduler runs them.
 */
export async function createBackfillRuns(
  ctx: AppContext,
  dagId: string,
  start: Date,
  end: Date,
  options: { dryRun?: boolean } = {},
): Promise<BackfillResult> {
  if (start > end) throw new InvalidArgumentError('backfill start date is after its end date');
  const { dag } = await requireSerializedDag(ctx.dataSource, dagId);
  const timetable = timetableFromSpec(dag.schedule);
  if (!timetable.periodic)
    throw new UserError(`DAG '${dagId}' has no schedule (${dag.scheduleText ?? 'None'}): nothing to backfill`);
  const dagStart = dag.startDate ? new Date(dag.startDate) : null;
  const dagEnd = dag.endDate ? new Date(dag.endDate) : null;
  const earliest = dagStart && dagStart > start ? dagStart : start;
  const latest = dagEnd && dagEnd < end ? dagEnd : end;
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

  const repo = ctx.dataSource.getRepository(DagRunEntity);
  const result: BackfillResult = { created: [], existing: [], planned: [] };
  for (const { logicalDate, dataInterval } of infos) {
    if (await repo.existsBy({ dagId, logicalDate })) {
      result.existing.push(logicalDate);
      continue;
    }
    if (options.dryRun) {
      result.planned.push(logicalDate);
      continue;
    }
    try {
      result.created.push(
        await triggerDagRun(ctx, {
          dagId,
          logicalDate,
          runType: 'backfill',
          runId: `backfill__${logicalDate.toISOString()}`,
          dataInterval,
        }),
      );
      result.planned.push(logicalDate);
    } catch (err) {
      // Another backfill of the same dates (or a scheduler) created it since the check: it exists.
      if (!(err instanceof DagRunExistsError)) throw err;
      result.existing.push(logicalDate);
    }
  }
  return result;
}
