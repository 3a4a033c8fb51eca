import type { SerializedDag, SerializedSensor, SerializedTask } from '../core/serialized-dag';
import { isCustomTimetable } from '../timetables/custom-timetable';
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
    schedule: dag.scheduleSpec,
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
  // Only when set, so a DAG without them keeps its hash. Duck-typed: older SDK copies lack them.
  const { onSuccessCallback, onFailureCallback, deadline } = dag as Partial<DAG>;
  if (onSuccessCallback || onFailureCallback)
    serialized.callbacks = { onSuccess: Boolean(onSuccessCallback), onFailure: Boolean(onFailureCallback) };
  if (deadline) serialized.deadline = { ...deadline.serialized };
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
  // Optional fields only when set, so a DAG without them keeps its hash (and its DAG version).
  if (task.taskGroup) serialized.taskGroup = task.taskGroup.path;
  if (task.isSetup) serialized.isSetup = true;
  if (task.isTeardown) serialized.isTeardown = true;
  if (task.isTeardown && task.onFailureFailDagrun) serialized.onFailureFailDagrun = true;
  if (task.waitForDownstream) serialized.waitForDownstream = true;
  if (task.maxActiveTisPerDag !== null && task.maxActiveTisPerDag !== undefined)
    serialized.maxActiveTisPerDag = task.maxActiveTisPerDag;
  // Only when there are outlets, so other DAGs keep their hash.
  if (task.outlets.length > 0) serialized.outlets = [...task.outlets];
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
  // A list of datasets shows as Airflow's DAG list shows it; a list of crons as their joined text.
  if (Array.isArray(schedule)) return schedule.every((s) => typeof s === 'string') ? schedule.join(' | ') : 'Dataset';
  if (isCustomTimetable(schedule)) return schedule.summary;
  return `every ${String((schedule as { every: unknown }).every)}`;
}
