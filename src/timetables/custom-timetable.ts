/**
 * What a user's timetable class implements: Airflow's Timetable protocol in TypeScript idiom. Its
 * code runs only in the DAG processor's parser children (which precompute its answers), never in
 * the scheduler.
 */

/** The [start, end) period a run covers. */
export interface CustomDataInterval {
  start: Date;
  end: Date;
}

/** A run the timetable asks for; its logical date is `dataInterval.start`. */
export interface CustomDagRunInfo {
  runAfter: Date;
  dataInterval: CustomDataInterval;
}

/** Airflow's TimeRestriction: the DAG's start and end dates and its catchup flag. */
export interface CustomTimeRestriction {
  earliest: Date | null;
  latest: Date | null;
  catchup: boolean;
}

/** Airflow's `airflow.timetables.base.Timetable`: extend it and give `schedule: new MyTimetable()`. */
export abstract class Timetable {
  /** Shown as the DAG's schedule (defaults to the class name). */
  get summary(): string {
    return this.constructor.name;
  }

  /** The run after `lastAutomatedDataInterval` (null: the first one), or null when there is none. */
  abstract nextDagrunInfo(args: {
    lastAutomatedDataInterval: CustomDataInterval | null;
    restriction: CustomTimeRestriction;
  }): CustomDagRunInfo | null;

  /** The data interval of a run triggered by hand at `runAfter` (default: zero-length at `runAfter`). */
  inferManualDataInterval(args: { runAfter: Date }): CustomDataInterval {
    return { start: args.runAfter, end: args.runAfter };
  }

  /** JSON the class can be rebuilt from with its static `deserialize` (stored with the DAG). */
  serialize(): unknown {
    return {};
  }
}

/** Duck-typed: a DAG file may load its own copy of the SDK, so `instanceof` is not enough. */
export function isCustomTimetable(value: unknown): value is Timetable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { nextDagrunInfo?: unknown }).nextDagrunInfo === 'function'
  );
}
