import type { ScheduleSpec } from '../core/serialized-dag';

/** The [start, end) period a run covers. */
export interface DataInterval {
  start: Date;
  end: Date;
}

export interface DagRunInfo {
  /** = dataInterval.start for scheduled runs. */
  logicalDate: Date;
  dataInterval: DataInterval;
  /** The earliest moment the run may be created (= dataInterval.end for cron/interval). */
  runAfter: Date;
}

export interface TimeRestriction {
  /** The DAG's startDate; no interval may start before it. */
  earliest: Date | null;
  /** The DAG's endDate; no interval may start after it. */
  latest: Date | null;
  catchup: boolean;
}

/** Airflow's timetable protocol. Pure: time comes in as `now`. */
export interface Timetable {
  /** Short human description ('At 12:00 PM, UTC', 'every 30m', '@once', 'None'). */
  readonly summary: string;
  /** False for `null` schedules: only manual runs. */
  readonly periodic: boolean;
  /**
   * The next run to create after the last automated run's data interval (null: none yet),
   * or null when there is none (`@once` already ran, endDate passed, no schedule).
   */
  nextDagRunInfo(
    lastAutomatedDataInterval: DataInterval | null,
    restriction: TimeRestriction,
    now: Date,
  ): DagRunInfo | null;
  /** The data interval a manual run triggered at `runAfter` gets. */
  inferManualDataInterval(runAfter: Date): DataInterval;
  serialize(): ScheduleSpec;
}
