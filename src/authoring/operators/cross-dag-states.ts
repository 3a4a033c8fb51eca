import { DagRunState, TaskState } from '../../core/states';

const TASK_STATES: readonly string[] = Object.values(TaskState);
const RUN_STATES: readonly string[] = Object.values(DagRunState);

/**
 * A list of states an option names: task instance states when the option is about tasks, DAG run
 * states when it is about whole runs (Airflow's ExternalTaskSensor and TriggerDagRunOperator rule).
 * Returns an error message, or the states.
 */
export function checkStates(option: string, value: unknown, ofTasks: boolean): string[] | string {
  const known = ofTasks ? TASK_STATES : RUN_STATES;
  if (!Array.isArray(value) || value.some((state) => typeof state !== 'string'))
    return `option '${option}' must be a list of states`;
  const unknown = (value as string[]).filter((state) => !known.includes(state));
  if (unknown.length)
    return (
      `option '${option}' has ${unknown.map((s) => `'${s}'`).join(', ')}, not a ${ofTasks ? 'task' : 'DAG run'} ` +
      `state (${known.join(', ')})`
    );
  return value as string[];
}

/** Two lists that must not share a state (a state cannot mean both "done" and "failed"). */
export function overlap(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((state) => b.includes(state));
}
