import { CronExpressionParser } from 'cron-parser';
import { DagDefinitionError, errorMessage } from '../core/errors';
import { Duration, parseDuration } from '../core/duration';
import { datasetUriProblem, isDataset, type Dataset } from '../core/dataset';
import type { ScheduleSpec } from '../core/serialized-dag';
import { isCustomTimetable, type CustomTimeRestriction, type Timetable as CustomTimetable } from './custom-timetable';
import { precomputeCustomTimetable } from './precompute-custom-timetable';

/** The `schedule` option of a DAG as users write it. */
export type ScheduleOption =
  string | readonly string[] | { every: Duration } | readonly Dataset[] | CustomTimetable | null | undefined;

export const CRON_PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/**
 * Turn the authoring option into the stored ScheduleSpec; throws DagDefinitionError on bad input.
 * A custom timetable class is run here (parse time only) under `restriction`, as of `now`.
 */
export function parseSchedule(
  schedule: ScheduleOption,
  timezone = 'UTC',
  dagId = '?',
  restriction: CustomTimeRestriction = { earliest: null, latest: null, catchup: false },
  now: Date = new Date(),
): ScheduleSpec {
  if (schedule === null || schedule === undefined || schedule === '@none' || schedule === 'None')
    return { kind: 'none' };
  if (isList(schedule))
    return schedule.length > 0 && schedule.every((item) => typeof item === 'string')
      ? parseCronList(schedule, timezone, dagId)
      : datasetSchedule(schedule, dagId);
  if (isCustomTimetable(schedule)) return precomputeCustomTimetable(schedule, restriction, now, dagId);
  if (typeof schedule === 'object') {
    if (!('every' in schedule))
      throw new DagDefinitionError(
        `DAG '${dagId}': schedule object must be { every: '30m' } or a timetable (a class with nextDagrunInfo)`,
      );
    let everyMs: number;
    try {
      everyMs = parseDuration(schedule.every, 'schedule.every');
    } catch (err) {
      throw new DagDefinitionError(`DAG '${dagId}': ${errorMessage(err)}`);
    }
    if (everyMs <= 0) throw new DagDefinitionError(`DAG '${dagId}': schedule.every must be positive`);
    return { kind: 'interval', everyMs };
  }
  if (typeof schedule !== 'string')
    throw new DagDefinitionError(
      `DAG '${dagId}': schedule must be a cron string, a preset, { every }, a list of datasets, a timetable or null`,
    );
  const text = schedule.trim();
  if (text === '@once') return { kind: 'once' };
  const expression = CRON_PRESETS[text] ?? text;
  if (text.startsWith('@') && !CRON_PRESETS[text]) {
    throw new DagDefinitionError(
      `DAG '${dagId}': unknown schedule preset '${text}' (use ${Object.keys(CRON_PRESETS).join(', ')}, @once or null)`,
    );
  }
  if (expression.split(/\s+/).length !== 5) {
    throw new DagDefinitionError(
      `DAG '${dagId}': invalid cron expression '${text}': expected 5 fields (minute hour day month weekday)`,
    );
  }
  try {
    CronExpressionParser.parse(expression, { tz: timezone });
  } catch (err) {
    throw new DagDefinitionError(`DAG '${dagId}': invalid cron expression '${text}': ${errorMessage(err)}`);
  }
  return { kind: 'cron', expression, timezone };
}

/** Array.isArray does not narrow a readonly array type. */
function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/**
 * `schedule: [ds1, ds2]`. As in Airflow 2.6, a list holds datasets only: a cron or preset mixed in
 * is refused (Airflow has no "cron or datasets" schedule before 2.9's DatasetOrTimeSchedule).
 */
function datasetSchedule(items: readonly unknown[], dagId: string): ScheduleSpec {
  if (items.length === 0)
    throw new DagDefinitionError(
      `DAG '${dagId}': schedule is an empty list ` +
        '(give one or more cron expressions or datasets, or null for no schedule)',
    );
  const uris = new Set<string>();
  for (const item of items) {
    if (!isDataset(item)) {
      const what = typeof item === 'string' ? `'${item}'` : (JSON.stringify(item) ?? String(item));
      throw new DagDefinitionError(
        `DAG '${dagId}': a schedule list holds either datasets or cron expressions, got ${what} ` +
          'among datasets (a cron cannot be mixed with datasets; use one or the other)',
      );
    }
    const problem = datasetUriProblem(item.uri);
    if (problem) throw new DagDefinitionError(`DAG '${dagId}': schedule dataset '${item.uri}': ${problem}`);
    uris.add(item.uri);
  }
  return { kind: 'dataset', uris: [...uris].sort() };
}

/**
 * Several cron expressions in one schedule (like Airflow's MultipleCronTriggerTimetable): the
 * DAG fires at the union of their ticks; each run covers one tick to the next tick of any of them.
 */
function parseCronList(schedules: readonly string[], timezone: string, dagId: string): ScheduleSpec {
  const specs = schedules.map((s) => parseSchedule(s, timezone, dagId));
  const expressions = specs.map((spec) => {
    if (spec.kind !== 'cron')
      throw new DagDefinitionError(`DAG '${dagId}': a schedule list may hold only cron expressions and presets`);
    return spec.expression;
  });
  const unique = [...new Set(expressions)];
  if (unique.length === 1) return { kind: 'cron', expression: unique[0], timezone };
  return { kind: 'cron', expression: unique.join(' | '), expressions: unique, timezone };
}
