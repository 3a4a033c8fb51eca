import { formatDate, formatDuration } from '../render/format';

/** How many task instances of a mapped task are in each state ('none': no state yet). */
export type StateCounts = Record<string, number>;

/** The fields of a grid run its labels are made of. */
export interface RunLabelFields {
  runId: string;
  state: string;
  runType: string;
  logicalDate: string | null;
  startDate: string | null;
  endDate: string | null;
  durationSeconds: number | null;
}

/** Short marks for the common states in a mapped task's counts; others keep their name. */
const MARKS: Record<string, string> = { success: '✓', failed: '✗' };

/** '100 ✓ / 2 ✗ / 3 running': a mapped task's instance counts, most numerous first. */
export function countsText(counts: StateCounts): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([state, n]) => `${n} ${MARKS[state] ?? state.replace(/_/g, ' ')}`)
    .join(' / ');
}

/** The run axis label under a bar: 'MM-DD HH:MM' of the logical date (UTC). */
export function runAxisLabel(run: Pick<RunLabelFields, 'logicalDate' | 'startDate'>): string {
  const iso = run.logicalDate ?? run.startDate;
  return iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : '—';
}

/** The hover text of a run bar: what Airflow's tooltip shows. */
export function runTooltip(run: RunLabelFields): string {
  return [
    `Run: ${run.runId}`,
    `State: ${run.state}`,
    `Type: ${run.runType}`,
    `Logical date: ${formatDate(run.logicalDate)}`,
    `Start: ${formatDate(run.startDate)}`,
    `End: ${formatDate(run.endDate)}`,
    `Duration: ${formatDuration(run.durationSeconds)}`,
  ].join('\n');
}
