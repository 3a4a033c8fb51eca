import { timetableFromSpec } from '../../timetables';
import { parseSchedule, type ScheduleOption } from '../../timetables/schedule-spec';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import { BranchOperator } from './branch-operator';

/** What the operator reads of its DAG (the DAG class has these). */
interface ScheduledDag {
  readonly schedule: ScheduleOption;
  readonly timezone: string;
}

/**
 * Airflow's LatestOnlyOperator: its direct downstream tasks are skipped unless this run is the
 * latest scheduled interval — now lies between the end of the run's data interval and the end of
 * the next one. Manual runs (and `dags test`) are never skipped; neither is a run after which the
 * schedule has no next interval.
 */
export class LatestOnlyOperator extends BranchOperator {
  constructor(options: TaskOptions) {
    super({ ...options, fn: () => null });
  }

  override async execute(ctx: TaskContext): Promise<string[]> {
    const all = [...this.downstreamTaskIds].sort();
    if (ctx.dagRun.runType === 'manual' || ctx.dagRun.runType === 'test') {
      ctx.log.info('Manually triggered DAG run: downstream tasks are not skipped');
      return all;
    }
    if (!ctx.dataIntervalStart || !ctx.dataIntervalEnd) return all;
    const dag = this.dag as unknown as ScheduledDag;
    const timetable = timetableFromSpec(parseSchedule(dag.schedule, dag.timezone, this.dag.dagId));
    const interval = { start: ctx.dataIntervalStart, end: ctx.dataIntervalEnd };
    const now = new Date();
    // Unrestricted, as Airflow asks: no start/end date, catchup on.
    const next = timetable.nextDagRunInfo(interval, { earliest: null, latest: null, catchup: true }, now);
    if (!next) return all;
    const left = next.dataInterval.start;
    const right = next.dataInterval.end;
    if (left < now && now <= right) {
      ctx.log.info(`Latest run (now is within ${left.toISOString()} – ${right.toISOString()}): not skipping`);
      return all;
    }
    ctx.log.info(
      `Not the latest run (now is outside ${left.toISOString()} – ${right.toISOString()}): skipping downstream`,
    );
    return [];
  }
}
