/**
 * The SDK that DAG files import as 'dagctl'. Keep it light: it is loaded into every process that
 * parses or runs DAG files.
 */
export { DAG } from './authoring/dag';
export type { DagOptions } from './authoring/dag-options';
export { Timetable } from './timetables/custom-timetable';
export type {
  CustomDagRunInfo as DagRunInfo,
  CustomDataInterval as DataInterval,
  CustomTimeRestriction as TimeRestriction,
} from './timetables/custom-timetable';
export { DeadlineReference } from './authoring/dag-callbacks';
export type { DagCallback, DagCallbackContext, DeadlineAlert } from './authoring/dag-callbacks';
export { BaseOperator } from './authoring/base-operator';
export type { TaskOrTasks } from './authoring/base-operator';
export type { TaskOptions, DefaultArgs, TaskCallback, TaskDag } from './authoring/task-options';
export { chain } from './authoring/chain';
export { param, isParam } from './authoring/param';
export type { Param } from './authoring/param';
export type { ParamSchema } from './core/param-schema';
export { isDag, isOperator } from './authoring/type-guards';
export { EmptyOperator } from './authoring/operators/empty-operator';
export { BashOperator } from './authoring/operators/bash-operator';
export type { BashOperatorOptions } from './authoring/operators/bash-operator';
export { FunctionOperator } from './authoring/operators/function-operator';
export type { FunctionOperatorOptions, TaskFunction } from './authoring/operators/function-operator';
export { BranchOperator } from './authoring/operators/branch-operator';
export type { BranchOperatorOptions } from './authoring/operators/branch-operator';
export { ShortCircuitOperator } from './authoring/operators/short-circuit-operator';
export { BaseSensorOperator } from './authoring/operators/base-sensor-operator';
export type { SensorOptions, SensorMode, PokeResult } from './authoring/operators/base-sensor-operator';
export { FunctionSensor } from './authoring/operators/function-sensor';
export type { FunctionSensorOptions } from './authoring/operators/function-sensor';
export { FileSensor } from './authoring/operators/file-sensor';
export type { FileSensorOptions } from './authoring/operators/file-sensor';
export { TimeDeltaSensor } from './authoring/operators/time-delta-sensor';
export type { TimeDeltaSensorOptions } from './authoring/operators/time-delta-sensor';
export { DateTimeSensor } from './authoring/operators/date-time-sensor';
export type { DateTimeSensorOptions } from './authoring/operators/date-time-sensor';
export { ExternalTaskSensor } from './authoring/operators/external-task-sensor';
export type { ExternalTaskSensorOptions } from './authoring/operators/external-task-sensor';
export { TriggerDagRunOperator } from './authoring/operators/trigger-dag-run-operator';
export type { TriggerDagRunOperatorOptions } from './authoring/operators/trigger-dag-run-operator';
export type { TaskConnection, TaskContext, TaskLogger, TaskVariables } from './authoring/task-context';
export { TaskSkipped, TaskRescheduled, TaskFailedNoRetry } from './core/task-signals';
export { TriggerRule, WeightRule } from './core/states';
export { DagDefinitionError } from './core/errors';
export type { Duration } from './core/duration';
export { Dataset, dataset, isDataset } from './core/dataset';
export { task } from './authoring/typed/task';
export type { TypedTask, TaskInputs } from './authoring/typed/task';
export { TaskOutput, outputOf } from './authoring/typed/task-output';
export { TypedTaskOperator } from './authoring/typed/typed-task-operator';
export { TaskGroup, isTaskGroup } from './authoring/task-group';
export type { TaskGroupOptions } from './authoring/task-group';
export type { TeardownOptions } from './authoring/base-operator';
export type { ShortCircuitOperatorOptions } from './authoring/operators/short-circuit-operator';
export { LatestOnlyOperator } from './authoring/operators/latest-only-operator';
