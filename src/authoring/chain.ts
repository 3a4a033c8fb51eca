import { DagDefinitionError } from '../core/errors';
import { isTaskList, type TaskOrTasks } from './base-operator';

/**
 * Airflow's chain(): each element runs after the previous one. Between two single tasks or a
 * task and a list, every pair is linked; between two lists, items are linked pairwise (the lists
 * must have the same length).
 */
export function chain(...elements: TaskOrTasks[]): void {
  for (let i = 1; i < elements.length; i++) {
    const up = elements[i - 1];
    const down = elements[i];
    if (isTaskList(up) && isTaskList(down)) {
      if (up.length !== down.length) {
        throw new DagDefinitionError(
          `chain(): cannot link lists of different lengths (${up.length} and ${down.length}) at position ${i}`,
        );
      }
      up.forEach((task, j) => task.setDownstream(down[j]));
    } else if (isTaskList(up)) {
      for (const task of up) task.setDownstream(down);
    } else {
      up.setDownstream(down);
    }
  }
}
