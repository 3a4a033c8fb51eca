import cronstrue from 'cronstrue';
import { parseDuration } from '../../core/duration';
import { CRON_PRESETS } from '../../timetables/schedule-spec';
import { timeDelta } from './api-dates';

export type ScheduleInterval =
  | { __type: 'CronExpression'; value: string }
  | { __type: 'TimeDelta'; days: number; seconds: number; microseconds: number }
  | null;

function everyMs(text: string): number | null {
  const match = /^every\s+(.+)$/i.exec(text.trim());
  if (!match) return null;
  try {
    return parseDuration(match[1]);
  } catch {
    return null;
  }
}

function isNone(text: string | null): text is null {
  return text === null || text === '' || text === '@none' || text === 'None';
}

/** The `schedule` text stored on the dag row as Airflow's `schedule_interval` object. */
export function scheduleInterval(text: string | null): ScheduleInterval {
  if (isNone(text)) return null;
  const ms = everyMs(text);
  if (ms !== null) return timeDelta(ms);
  return { __type: 'CronExpression', value: text };
}

const descriptions = new Map<string, string>();

/** Airflow's `timetable_description`: the schedule in words. */
export function timetableDescription(text: string | null): string | null {
  if (isNone(text)) return 'Never, external triggers only';
  const cached = descriptions.get(text);
  if (cached !== undefined) return cached;
  let description: string;
  if (text === '@once') description = 'Once, as soon as possible';
  else if (text === 'Dataset') description = 'Triggered by datasets';
  else if (everyMs(text) !== null) description = `Every ${text.replace(/^every\s+/i, '')}`;
  else {
    try {
      description = cronstrue.toString(CRON_PRESETS[text] ?? text, { use24HourTimeFormat: true, verbose: false });
    } catch {
      description = text;
    }
  }
  if (descriptions.size < 10_000) descriptions.set(text, description);
  return description;
}
