import type { SerializedDeadline } from './serialized-dag';

/** When a run's deadline is, from the stored form: null when the reference is missing (no queued time). */
export function deadlineFor(
  deadline: SerializedDeadline,
  run: { logicalDate: Date; queuedAt: Date | null },
): Date | null {
  const base =
    deadline.reference === 'fixed_datetime'
      ? new Date(deadline.fixedDate!)
      : deadline.reference === 'dagrun_logical_date'
        ? run.logicalDate
        : run.queuedAt;
  return base ? new Date(base.getTime() + deadline.intervalMs) : null;
}
