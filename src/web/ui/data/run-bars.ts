/** A run's duration in seconds: end − start, or up to `now` while it runs; null before it starts. */
export function runDurationSeconds(startDate: Date | null, endDate: Date | null, now: Date): number | null {
  if (!startDate) return null;
  return Math.max(0, ((endDate ?? now).getTime() - startDate.getTime()) / 1000);
}

/** Shortest bar shown, in percent of the tallest: a run of a few ms stays visible and clickable. */
export const MIN_BAR_PERCENT = 8;

/**
 * Bar heights as in Airflow's grid: proportional to each run's duration relative to the longest
 * run shown (100%). A run not started yet gets the minimum.
 */
export function barPercents(durations: Array<number | null>): number[] {
  const longest = Math.max(0, ...durations.map((d) => d ?? 0));
  return durations.map((d) => {
    if (d === null || longest === 0) return MIN_BAR_PERCENT;
    return Math.max(MIN_BAR_PERCENT, Math.round((d / longest) * 100));
  });
}
