import { CronExpressionParser } from 'cron-parser';
import { DagDefinitionError, errorMessage } from '../core/errors';
import { Duration, parseDuration } from '../core/duration';
import type { ScheduleSpec } from '../core/serialized-dag';

/** The `schedule` option of a DAG as users write it. */
export type ScheduleOption = string | string[] | { every: Duration } | null | undefined;

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

/** Turn the authoring option into the stored ScheduleSpec; throws DagDefinitionError on bad input. */
export function parseSchedule(schedule: ScheduleOption, timezone = 'UTC', dagId = '?'): ScheduleSpec {
  if (schedule === null || schedule === undefined || schedule === '@none' || schedule === 'None')
    return { kind: 'none' };
  if (Array.isArray(schedule)) return parseCronList(schedule, timezone, dagId);
  if (typeof schedule === 'object') {
    if (!('every' in schedule))
      throw new DagDefinitionError(`DAG '${dagId}': schedule object must be { every: '30m' }`);
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
    throw new DagDefinitionError(`DAG '${dagId}': schedule must be a cron string, a preset, { every } or null`);
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

/**
 * Several cron expressions in one schedule (like Airflow's MultipleCronTriggerTimetable): the
 * DAG fires at the union of their ticks; each run covers one tick to the next tick of any of them.
 */
function parseCronList(schedules: unknown[], timezone: string, dagId: string): ScheduleSpec {
  if (!schedules.length || schedules.some((s) => typeof s !== 'string'))
    throw new DagDefinitionError(`DAG '${dagId}': a schedule list must hold one or more cron expressions`);
  const specs = schedules.map((s) => parseSchedule(s as string, timezone, dagId));
  const expressions = specs.map((spec) => {
    if (spec.kind !== 'cron')
      throw new DagDefinitionError(`DAG '${dagId}': a schedule list may hold only cron expressions and presets`);
    return spec.expression;
  });
  const unique = [...new Set(expressions)];
  if (unique.length === 1) return { kind: 'cron', expression: unique[0], timezone };
  return { kind: 'cron', expression: unique.join(' | '), expressions: unique, timezone };
}
