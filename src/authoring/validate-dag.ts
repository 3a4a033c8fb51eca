import { isCustomTimetable } from '../timetables/custom-timetable';
import { DagDefinitionError } from '../core/errors';
import { parseSchedule, type ScheduleOption } from '../timetables/schedule-spec';
import type { BaseOperator } from './base-operator';
import { checkDateOrder } from './dag-options';
import { topologicalOrder } from './topological-order';

/** What validation reads of a DAG (the DAG class calls validateDag(this); naming it would be a cycle). */
export interface ValidatedDag {
  readonly dagId: string;
  readonly schedule: ScheduleOption;
  readonly timezone: string;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
  readonly tasks: ReadonlyMap<string, BaseOperator>;
}

/** The checks Airflow's DagBag makes before accepting a DAG. Throws DagDefinitionError. */
export function validateDag(dag: ValidatedDag): void {
  // A timetable class was run once, with the DAG's restriction, when the DAG was built.
  if (!isCustomTimetable(dag.schedule)) parseSchedule(dag.schedule, dag.timezone, dag.dagId);
  checkDateOrder(dag.dagId, dag.startDate, dag.endDate);
  for (const [taskId, task] of dag.tasks) {
    if ((task.dag as unknown) !== dag || task.taskId !== taskId) {
      throw new DagDefinitionError(`DAG '${dag.dagId}': task '${taskId}' belongs to DAG '${task.dag?.dagId}'`);
    }
    checkLinks(dag, task, task.upstreamTaskIds, 'upstream');
    checkLinks(dag, task, task.downstreamTaskIds, 'downstream');
  }
  topologicalOrder(dag);
}

function checkLinks(dag: ValidatedDag, task: BaseOperator, ids: ReadonlySet<string>, direction: string): void {
  for (const id of ids) {
    if (!dag.tasks.has(id)) {
      throw new DagDefinitionError(
        `DAG '${dag.dagId}': task '${task.taskId}' has ${direction} task '${id}' that is not in this DAG`,
      );
    }
  }
}
