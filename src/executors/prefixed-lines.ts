import type { TaskInstanceKey } from '../core/task-instance-key';

/** How `dags test` labels a task's log lines on the terminal: `[task_id]`, `[task_id:2]` for a map index. */
export function taskLinePrefix(key: Pick<TaskInstanceKey, 'taskId' | 'mapIndex'>): string {
  return key.mapIndex >= 0 ? `[${key.taskId}:${key.mapIndex}] ` : `[${key.taskId}] `;
}

/** Each line of `text` with `prefix` before it; an unended last line is ended (the next write is another line). */
export function prefixLines(text: string, prefix: string): string {
  if (text === '') return '';
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((line) => `${prefix}${line}\n`).join('');
}
