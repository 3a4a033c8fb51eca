import { toString as cronToString } from 'cronstrue';
import type { ScheduleSpec } from '../../../core/serialized-dag';

const UNITS: Array<[number, string]> = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

export function describeInterval(ms: number): string {
  for (const [size, name] of UNITS) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return n === 1 ? `Every ${name}` : `Every ${n} ${name}s`;
    }
  }
  return `Every ${ms} ms`;
}

/** The schedule in words for the DAG list: 'At 12:00', 'Every 30 minutes', 'Manual only'. */
export function describeSchedule(spec: ScheduleSpec | null | undefined): string {
  if (!spec || spec.kind === 'none') return 'Manual only';
  if (spec.kind === 'once') return 'Once';
  if (spec.kind === 'dataset') return 'Dataset';
  if (spec.kind === 'interval') return describeInterval(spec.everyMs);
  if (spec.kind === 'precomputed') return `Timetable ${spec.className}`;
  let words: string;
  try {
    words = cronToString(spec.expression, { use24HourTimeFormat: true, verbose: false });
  } catch {
    words = spec.expression;
  }
  return spec.timezone && spec.timezone !== 'UTC' ? `${words} (${spec.timezone})` : words;
}
