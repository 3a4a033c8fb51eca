import { DagDefinitionError, errorMessage } from '../core/errors';
import type { PrecomputedRun, PrecomputedScheduleSpec } from '../core/serialized-dag';
import type { CustomDataInterval, CustomTimeRestriction, Timetable as CustomTimetable } from './custom-timetable';

/** How far ahead of parse time the horizon reaches, and how many runs it holds at most each side of now. */
export const HORIZON_MS = 366 * 24 * 3600 * 1000;
export const MAX_FUTURE_RUNS = 200;
export const MAX_PAST_RUNS = 1000;

/**
 * Runs a user's timetable class (in the parser child, at parse time) and stores its answers: the
 * chain of runs from the first one (`lastAutomatedDataInterval` null) up to a year ahead or
 * MAX_FUTURE_RUNS runs after `now`, and `inferManualDataInterval` at `now` and at each run's
 * run-after moment. The DAG processor re-parses such files every `dag_file_recheck_interval`, so
 * the horizon moves forward without the scheduler ever calling the class.
 */
export function precomputeCustomTimetable(
  timetable: CustomTimetable,
  restriction: CustomTimeRestriction,
  now: Date,
  dagId: string,
): PrecomputedScheduleSpec {
  const className = timetable.constructor?.name || 'Timetable';
  const fail = (message: string): never => {
    throw new DagDefinitionError(`DAG '${dagId}': timetable ${className}: ${message}`);
  };
  const call = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return fail(`${what} threw: ${errorMessage(err)}`);
    }
  };

  const runs: PrecomputedRun[] = [];
  let last: CustomDataInterval | null = null;
  let future = 0;
  let ended = false;
  while (future < MAX_FUTURE_RUNS) {
    const previous = last;
    const info = call('nextDagrunInfo', () =>
      timetable.nextDagrunInfo({ lastAutomatedDataInterval: previous, restriction: { ...restriction } }),
    );
    if (info === null || info === undefined) {
      ended = true;
      break;
    }
    const start = dateOf(info.dataInterval?.start, 'dataInterval.start', fail);
    const end = dateOf(info.dataInterval?.end, 'dataInterval.end', fail);
    const runAfter = dateOf(info.runAfter, 'runAfter', fail);
    if (end < start) fail(`nextDagrunInfo returned an interval ending before it starts (${iso(start)})`);
    // A chain that does not move forward would repeat the same run forever.
    if (previous && start.getTime() <= previous.start.getTime())
      fail(`nextDagrunInfo did not move forward after the interval starting ${iso(previous.start)}`);
    if (runAfter.getTime() > now.getTime() + HORIZON_MS) break;
    runs.push({ start: iso(start), end: iso(end), runAfter: iso(runAfter) });
    if (runAfter.getTime() > now.getTime()) future += 1;
    else if (runs.length > MAX_PAST_RUNS)
      fail(
        `yields more than ${MAX_PAST_RUNS} runs before now from the start date; ` +
          'use a later startDate, or catchup: false with a timetable that starts from now',
      );
    last = { start, end };
  }

  const moments = [now, ...runs.map((r) => new Date(r.runAfter))].sort((a, b) => a.getTime() - b.getTime());
  const manual: PrecomputedScheduleSpec['manual'] = [];
  for (const at of moments) {
    if (manual.length && manual[manual.length - 1].from === iso(at)) continue;
    const interval = call('inferManualDataInterval', () =>
      timetable.inferManualDataInterval({ runAfter: new Date(at) }),
    );
    const start = dateOf(interval?.start, 'inferManualDataInterval start', fail);
    const end = dateOf(interval?.end, 'inferManualDataInterval end', fail);
    manual.push({ from: iso(at), start: iso(start), end: iso(end) });
  }

  return {
    kind: 'precomputed',
    className,
    serialized: serializedForm(timetable, fail, call),
    runs,
    ended,
    manual,
  };
}

/** `serialize()` as JSON; when the class has a static `deserialize`, it must rebuild a timetable from it. */
function serializedForm(
  timetable: CustomTimetable,
  fail: (message: string) => never,
  call: <T>(what: string, fn: () => T) => T,
): unknown {
  const data = call('serialize', () => timetable.serialize());
  let json: unknown;
  try {
    json = data === undefined ? null : JSON.parse(JSON.stringify(data));
  } catch (err) {
    return fail(`serialize() must return JSON: ${errorMessage(err)}`);
  }
  const deserialize = (timetable.constructor as { deserialize?: (data: unknown) => unknown }).deserialize;
  if (typeof deserialize === 'function') {
    const rebuilt = call('deserialize', (): unknown => deserialize.call(timetable.constructor, json));
    if (typeof (rebuilt as { nextDagrunInfo?: unknown })?.nextDagrunInfo !== 'function')
      fail('deserialize(serialize()) did not return a timetable');
  }
  return json;
}

function dateOf(value: unknown, what: string, fail: (message: string) => never): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  // Date objects made in another realm fail instanceof: accept anything with a valid getTime().
  const time =
    date?.getTime() ??
    (typeof (value as { getTime?: unknown })?.getTime === 'function' ? (value as Date).getTime() : NaN);
  if (!Number.isFinite(time)) return fail(`${what} must be a valid Date, got ${String(value)}`);
  return new Date(time);
}

function iso(date: Date): string {
  return date.toISOString();
}
