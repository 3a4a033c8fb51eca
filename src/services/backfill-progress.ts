import type { BackfillView } from '../db/reads/backfill-reads';

/**
 * A backfill's progress in words, the same in the CLI and on the Details page:
 * `2/5 done · 2 succeeded · 0 failed · 2 running · 0 queued · 0 skipped`, where done counts the
 * plan dates whose run finished or that were skipped.
 */
export function backfillProgress(b: BackfillView): string {
  const succeeded = b.runs.success ?? 0;
  const failed = b.runs.failed ?? 0;
  const done = Math.min(b.total, succeeded + failed + b.skipped);
  return (
    `${done}/${b.total} done · ${succeeded} succeeded · ${failed} failed · ` +
    `${b.runs.running ?? 0} running · ${b.runs.queued ?? 0} queued · ${b.skipped} skipped`
  );
}
