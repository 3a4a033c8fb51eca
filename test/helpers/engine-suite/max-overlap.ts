/** The most task instances whose [start, end] intervals overlap at one moment. */
export function maxOverlap(rows: Array<{ start_date: string; end_date: string }>): number {
  const points = rows
    .flatMap((r) => [
      [Date.parse(r.start_date), 1],
      [Date.parse(r.end_date), -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (current += delta));
  return most;
}
