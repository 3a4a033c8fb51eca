/** A task instance is identified by these four fields; map_index -1 means "not mapped". */
export interface TaskInstanceKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

export function tiKeyString(key: TaskInstanceKey): string {
  return JSON.stringify([key.dagId, key.runId, key.taskId, key.mapIndex]);
}

/** One try of a task instance, as a map key. */
export function tryKeyString(key: TaskInstanceKey, tryNumber: number): string {
  return `${tiKeyString(key)}#${tryNumber}`;
}

/** A try's key as bound parameters, in column order: dag_id, run_id, task_id, map_index, try_number. */
export function tryKeyParams(key: TaskInstanceKey, tryNumber: number): [string, string, string, number, number] {
  return [key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber];
}

export function tiKeyFromString(text: string): TaskInstanceKey {
  const [dagId, runId, taskId, mapIndex] = JSON.parse(text) as [string, string, string, number];
  return { dagId, runId, taskId, mapIndex };
}

export function describeTi(key: TaskInstanceKey, tryNumber?: number): string {
  const map = key.mapIndex >= 0 ? `[${key.mapIndex}]` : '';
  const attempt = tryNumber !== undefined ? ` try ${tryNumber}` : '';
  return `${key.dagId}.${key.taskId}${map} (${key.runId})${attempt}`;
}
