import type { AppContext } from '../app/app-context';
import { DagRunType } from '../core/states';
import { DagRunEntity } from '../db/entities';
import { requireDag } from '../services/require-dag';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { DagRunInfo, nextRunInfos, timetableFromSpec } from '../timetables';

/**
 * The next `count` scheduled runs of a DAG, as `airflow dags next-execution` shows them: the run
 * the scheduler has lined up (dag.next_dagrun) first, then those the timetable gives after it.
 */
export async function nextExecutions(
  ctx: AppContext,
  dagId: string,
  count: number,
): Promise<{ paused: boolean; runs: DagRunInfo[] }> {
  const dagRow = await requireDag(ctx.dataSource, dagId);
  const { dag } = await requireSerializedDag(ctx.dataSource, dagId);
  const timetable = timetableFromSpec(dag.schedule);
  const restriction = {
    earliest: dag.startDate ? new Date(dag.startDate) : null,
    latest: dag.endDate ? new Date(dag.endDate) : null,
    catchup: dag.catchup,
  };
  const now = ctx.clock.now();
  if (!timetable.periodic || count <= 0) return { paused: dagRow.isPaused, runs: [] };

  const runs: DagRunInfo[] = [];
  if (dagRow.nextDagrun && dagRow.nextDagrunDataIntervalStart && dagRow.nextDagrunDataIntervalEnd) {
    runs.push({
      logicalDate: dagRow.nextDagrun,
      dataInterval: { start: dagRow.nextDagrunDataIntervalStart, end: dagRow.nextDagrunDataIntervalEnd },
      runAfter: dagRow.nextDagrunCreateAfter ?? dagRow.nextDagrunDataIntervalEnd,
    });
  } else {
    const last = await ctx.dataSource.getRepository(DagRunEntity).findOne({
      where: { dagId, runType: DagRunType.SCHEDULED },
      order: { logicalDate: 'DESC' },
    });
    const lastInterval =
      last?.dataIntervalStart && last.dataIntervalEnd
        ? { start: last.dataIntervalStart, end: last.dataIntervalEnd }
        : null;
    runs.push(...nextRunInfos(timetable, restriction, lastInterval, now, 1));
  }
  if (runs.length > 0 && count > 1)
    runs.push(...nextRunInfos(timetable, restriction, runs[0].dataInterval, now, count - 1));
  return { paused: dagRow.isPaused, runs: runs.slice(0, count) };
}
