import { BashOperator, DAG, Timetable, type DagRunInfo, type DataInterval, type TimeRestriction } from 'dagctl';

const DAY_MS = 24 * 3600 * 1000;

/** UTC midnight of the day `date` falls in. */
function midnight(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The first Monday-to-Friday midnight at or after `date`'s midnight. */
function nextBusinessDay(date: Date): Date {
  let day = midnight(date);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day = new Date(day.getTime() + DAY_MS);
  return day;
}

/**
 * Airflow's AfterWorkdayTimetable example: one run per business day, covering that day, created
 * once it has ended; weekends have no run. Its code runs only in the DAG processor.
 */
export class BusinessDaysTimetable extends Timetable {
  nextDagrunInfo({
    lastAutomatedDataInterval,
    restriction,
  }: {
    lastAutomatedDataInterval: DataInterval | null;
    restriction: TimeRestriction;
  }): DagRunInfo | null {
    let start: Date;
    if (lastAutomatedDataInterval) start = nextBusinessDay(lastAutomatedDataInterval.end);
    else if (restriction.earliest) {
      start = nextBusinessDay(restriction.earliest);
      // Without catchup, begin with the last business day that has ended.
      if (!restriction.catchup) {
        let latest = new Date(midnight(new Date()).getTime() - DAY_MS);
        while (latest.getUTCDay() === 0 || latest.getUTCDay() === 6) latest = new Date(latest.getTime() - DAY_MS);
        if (latest > start) start = latest;
      }
    } else return null; // no start date: no scheduled runs
    if (restriction.latest && start > restriction.latest) return null;
    const end = new Date(start.getTime() + DAY_MS);
    return { dataInterval: { start, end }, runAfter: end };
  }

  /** A run triggered by hand covers the last business day that has ended. */
  override inferManualDataInterval({ runAfter }: { runAfter: Date }): DataInterval {
    let start = new Date(midnight(runAfter).getTime() - DAY_MS);
    while (start.getUTCDay() === 0 || start.getUTCDay() === 6) start = new Date(start.getTime() - DAY_MS);
    return { start, end: new Date(start.getTime() + DAY_MS) };
  }

  override serialize(): unknown {
    return {};
  }

  static deserialize(): BusinessDaysTimetable {
    return new BusinessDaysTimetable();
  }
}

const dag = new DAG('example_business_days', {
  description: 'Runs once per business day (a custom timetable class)',
  schedule: new BusinessDaysTimetable(),
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
});

new BashOperator({ taskId: 'report', bashCommand: 'echo "business day {{ ds }}"', dag });

export default dag;
