import { Duration, parseDuration } from '../core/duration';
import { DagDefinitionError, errorMessage } from '../core/errors';
import { parseSchedule, ScheduleOption } from '../timetables/schedule-spec';
import type { ScheduleSpec } from '../core/serialized-dag';
import { currentAuthoringDefaults } from './authoring-defaults';
import { didYouMean } from './closest-name';
import { isValidTimezone, parseDagDate } from './parse-dag-date';
import type { ParamSpec } from '../core/param-schema';
import { resolveParams } from './param';
import type { DefaultArgs } from './task-options';
import { DagCallback, DeadlineAlert, ResolvedDeadline, resolveDeadline } from './dag-callbacks';

/** Options of `new DAG(dagId, options)`, with Airflow's meaning. */
export interface DagOptions {
  description?: string;
  /** cron | '@once' '@hourly' '@daily' '@weekly' '@monthly' '@yearly' | { every: '30m' } | null */
  schedule?: ScheduleOption;
  /** ISO string or Date; a date without a zone is read in `timezone`. */
  startDate?: string | Date;
  endDate?: string | Date;
  /** Create runs for past intervals (default false). */
  catchup?: boolean;
  defaultArgs?: DefaultArgs;
  maxActiveRuns?: number;
  maxActiveTasks?: number;
  dagrunTimeout?: Duration | null;
  tags?: string[];
  /** Values or `param(default, schema)` declarations (Airflow-style `{ type, default }` objects too). */
  params?: Record<string, unknown>;
  /** IANA zone for cron schedules and naive dates (default 'UTC'). */
  timezone?: string;
  docMd?: string;
  owner?: string;
  /**
   * A template name that does not exist: 'strict' (default) fails the task naming the field and
   * the name; 'empty' renders it as an empty string, as Airflow does by default.
   */
  templateUndefined?: TemplateUndefined;
  /** Called once when a run ends in success / failure, outside the scheduler (see README "Callbacks"). */
  onSuccessCallback?: DagCallback;
  onFailureCallback?: DagCallback;
  /** Airflow 3.1's deadline alert (see README "Deadline alerts"). */
  deadline?: DeadlineAlert;
}

export type TemplateUndefined = 'strict' | 'empty';

export const DAG_OPTION_KEYS: readonly string[] = [
  'description',
  'schedule',
  'startDate',
  'endDate',
  'catchup',
  'defaultArgs',
  'maxActiveRuns',
  'maxActiveTasks',
  'dagrunTimeout',
  'tags',
  'params',
  'timezone',
  'docMd',
  'owner',
  'templateUndefined',
  'onSuccessCallback',
  'onFailureCallback',
  'deadline',
];

export interface ResolvedDagOptions {
  description: string | null;
  schedule: ScheduleOption;
  scheduleSpec: ScheduleSpec;
  startDate: Date | null;
  endDate: Date | null;
  catchup: boolean;
  defaultArgs: Readonly<DefaultArgs>;
  maxActiveRuns: number;
  maxActiveTasks: number;
  dagrunTimeoutMs: number | null;
  tags: string[];
  /** Every param at its default value. */
  params: Record<string, unknown>;
  /** The JSON schemas of the params that declared one. */
  paramSpecs: Record<string, ParamSpec>;
  timezone: string;
  docMd: string | null;
  owner: string;
  templateUndefined: TemplateUndefined;
  onSuccessCallback: DagCallback | null;
  onFailureCallback: DagCallback | null;
  deadline: ResolvedDeadline | null;
}

/** Check and normalize DAG options; every error names the DAG and the option. */
export function resolveDagOptions(dagId: string, options: DagOptions): ResolvedDagOptions {
  const fail = (message: string): never => {
    throw new DagDefinitionError(`DAG '${dagId}': ${message}`);
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('options must be an object');
  for (const key of Object.keys(options)) {
    if (!DAG_OPTION_KEYS.includes(key)) fail(`unknown option '${key}'${didYouMean(key, DAG_OPTION_KEYS)}`);
  }
  const timezone = options.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) fail(`unknown timezone '${String(timezone)}' (option 'timezone')`);
  const date = (key: 'startDate' | 'endDate'): Date | null => {
    const value = options[key];
    if (value === undefined || value === null) return null;
    return (
      parseDagDate(value, timezone) ??
      fail(`invalid ${key} '${String(value)}' (use an ISO date such as '2026-01-01T00:00:00Z' or a Date)`)
    );
  };
  const positiveInt = (key: 'maxActiveRuns' | 'maxActiveTasks'): number => {
    // Unset: core.max_active_runs_per_dag / core.max_active_tasks_per_dag (see authoring-defaults.ts).
    const value = options[key] ?? currentAuthoringDefaults()[key];
    if (!Number.isInteger(value) || value < 1)
      fail(`option '${key}' must be an integer >= 1, got ${JSON.stringify(value)}`);
    return value;
  };
  const optionalText = (key: 'description' | 'docMd' | 'owner'): string | null => {
    const value = options[key];
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : fail(`option '${key}' must be a string`);
  };
  const plainObject = (key: 'params' | 'defaultArgs'): Record<string, unknown> => {
    const value = options[key] ?? {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`option '${key}' must be an object`);
    return { ...value };
  };
  const startDate = date('startDate');
  const endDate = date('endDate');
  checkDateOrder(dagId, startDate, endDate);
  const catchup = options.catchup ?? false;
  if (typeof catchup !== 'boolean') fail(`option 'catchup' must be true or false`);
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
    fail(`option 'tags' must be an array of strings`);
  let dagrunTimeoutMs: number | null = null;
  if (options.dagrunTimeout !== undefined && options.dagrunTimeout !== null) {
    try {
      dagrunTimeoutMs = parseDuration(options.dagrunTimeout, 'dagrunTimeout');
    } catch (err) {
      fail(errorMessage(err));
    }
  }
  const defaultArgs = plainObject('defaultArgs');
  for (const key of ['taskId', 'dag']) if (key in defaultArgs) fail(`option 'defaultArgs' must not set '${key}'`);
  const params = resolveParams(dagId, plainObject('params'));
  const scheduleSpec = parseSchedule(options.schedule, timezone, dagId, {
    earliest: startDate,
    latest: endDate,
    catchup,
  });
  // As in Airflow: a scheduled run has no conf, so a param without a default could never be set.
  const required = Object.keys(params.specs).filter((name) => !params.specs[name].hasDefault);
  if (scheduleSpec.kind !== 'none' && required.length > 0)
    fail(`param '${required[0]}' has no default, so the DAG needs schedule: null (only triggered runs can set it)`);
  const templateUndefined = options.templateUndefined ?? 'strict';
  if (templateUndefined !== 'strict' && templateUndefined !== 'empty')
    fail(`option 'templateUndefined' must be 'strict' or 'empty', got ${JSON.stringify(templateUndefined)}`);
  const callback = (key: 'onSuccessCallback' | 'onFailureCallback'): DagCallback | null => {
    const value = options[key];
    if (value === undefined || value === null) return null;
    return typeof value === 'function' ? value : fail(`option '${key}' must be a function`);
  };
  let deadline: ResolvedDeadline | null = null;
  if (options.deadline !== undefined && options.deadline !== null) {
    const resolved = resolveDeadline(options.deadline, timezone);
    deadline = typeof resolved === 'string' ? fail(resolved) : resolved;
  }
  const owner = optionalText('owner') ?? (typeof defaultArgs.owner === 'string' ? defaultArgs.owner : 'airflow');
  return {
    description: optionalText('description'),
    schedule: options.schedule ?? null,
    scheduleSpec,
    startDate,
    endDate,
    catchup,
    defaultArgs: Object.freeze(defaultArgs),
    maxActiveRuns: positiveInt('maxActiveRuns'),
    maxActiveTasks: positiveInt('maxActiveTasks'),
    dagrunTimeoutMs,
    tags: [...new Set(tags)],
    params: params.values,
    paramSpecs: params.specs,
    timezone,
    docMd: optionalText('docMd'),
    owner,
    templateUndefined,
    onSuccessCallback: callback('onSuccessCallback'),
    onFailureCallback: callback('onFailureCallback'),
    deadline,
  };
}

export function checkDateOrder(dagId: string, startDate: Date | null, endDate: Date | null): void {
  if (startDate && endDate && startDate.getTime() > endDate.getTime()) {
    throw new DagDefinitionError(
      `DAG '${dagId}': startDate ${startDate.toISOString()} is after endDate ${endDate.toISOString()}`,
    );
  }
}
