import type { SerializedDag, SerializedSensor, SerializedTask } from '../core/serialized-dag';
import { parseSchedule } from '../timetables/schedule-spec';
import type { BaseOperator } from './base-operator';
import type { DAG } from './dag';
import { serializeExpansion } from './mapping/expansion';
import type { BaseSensorOperator } from './operators/base-sensor-operator';
import { toJsonValue } from './to-json-value';
import { topologicalOrder } from './topological-order';

/**
 * The stored JSON form of a DAG. Deterministic: the same DAG gives identical JSON, because its
 * hash decides whether a new DAG version exists. Works on DAGs from any copy of the SDK.
 */
export function serializeDag(dag: DAG): SerializedDag {
  const serialized: SerializedDag = {
    formatVersion: 1,
    dagId: dag.dagId,
    description: dag.description ?? null,
    fileloc: dag.fileloc ?? '',
    schedule: parseSchedule(dag.schedule, dag.timezone, dag.dagId),
    scheduleText: scheduleText(dag.schedule),
    startDate: dag.startDate ? dag.startDate.toISOString() : null,
    endDate: dag.endDate ? dag.endDate.toISOString() : null,
    catchup: dag.catchup,
    maxActiveRuns: dag.maxActiveRuns,
    maxActiveTasks: dag.maxActiveTasks,
    dagrunTimeoutMs: dag.dagrunTimeoutMs ?? null,
    tags: [...dag.tags],
    owner: dag.owner,
    params: toJsonValue(dag.params) as Record<string, unknown>,
    docMd: dag.docMd ?? null,
    tasks: topologicalOrder(dag).map(serializeTask),
  };
  // Only when there are schemas, so a DAG without them keeps its hash (and its DAG version).
  const specs = dag.paramSpecs ?? {};
  if (Object.keys(specs).length > 0) serialized.paramSpecs = toJsonValue(specs) as SerializedDag['paramSpecs'];
  return serialized;
}

function serializeTask(task: BaseOperator): SerializedTask {
  const serialized: SerializedTask = {
    taskId: task.taskId,
    operator: task.operatorName,
    upstream: [...task.upstreamTaskIds].sort(),
    downstream: [...task.downstreamTaskIds].sort(),
    triggerRule: task.triggerRule,
    retries: task.retries,
    retryDelayMs: task.retryDelayMs,
    retryExponentialBackoff: task.retryExponentialBackoff,
    maxRetryDelayMs: task.maxRetryDelayMs,
    executionTimeoutMs: task.executionTimeoutMs,
    pool: task.pool,
    poolSlots: task.poolSlots,
    priorityWeight: task.priorityWeight,
    weightRule: task.weightRule,
    queue: task.queue,
    dependsOnPast: task.dependsOnPast,
    templateFields: toJsonValue(task.templateFieldValues()) as Record<string, unknown>,
  };
  const sensor = sensorBlock(task);
  if (sensor) serialized.sensor = sensor;
  if (task.doc) serialized.doc = task.doc;
  // Only for mapped tasks, so every other DAG keeps its hash (and its DAG version).
  if (task.expansion) serialized.mapped = serializeExpansion(task.expansion);
  return serialized;
}

function sensorBlock(task: BaseOperator): SerializedSensor | null {
  if ((task as { isSensor?: unknown }).isSensor !== true) return null;
  const sensor = task as unknown as BaseSensorOperator;
  return {
    pokeIntervalMs: sensor.pokeIntervalMs,
    timeoutMs: sensor.timeoutMs,
    mode: sensor.mode,
    softFail: sensor.softFail,
  };
}

/** The schedule as the user wrote it, for display. */
function scheduleText(schedule: DAG['schedule']): string | null {
  if (schedule === null || schedule === undefined) return null;
  if (typeof schedule === 'string') return schedule;
  return `every ${String(schedule.every)}`;
}
