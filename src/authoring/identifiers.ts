/** Airflow's rule for dag_id and task_id: letters, digits, '-', '.', '_', at most 250 characters. */
const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_ID_LENGTH = 250;

/** Why `id` is not a valid identifier, or null when it is. */
export function invalidIdReason(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0) return 'must be a non-empty string';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (!ID_PATTERN.test(id)) return "may contain only letters, digits, '-', '.' and '_'";
  return null;
}
