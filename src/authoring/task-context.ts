/** What a running task sees (`fn(ctx)`), with the contract's names. */
export interface TaskLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
}

export interface TaskContext {
  dagId: string;
  taskId: string;
  runId: string;
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  logicalDate: Date;
  /** logicalDate as YYYY-MM-DD. */
  ds: string;
  /** logicalDate as ISO-8601. */
  ts: string;
  dataIntervalStart: Date | null;
  dataIntervalEnd: Date | null;
  params: Record<string, unknown>;
  dagRun: { runId: string; runType: string; conf: Record<string, unknown>; logicalDate: Date };
  /** Value a task of this run pushed (default key 'return_value'); undefined if none. */
  xcomPull<T = unknown>(taskId: string, key?: string): T | undefined;
  /** Push an extra XCom under `key` (the return value is pushed as 'return_value'). */
  xcomPush(key: string, value: unknown): void;
  /** Lines land in the task log of this attempt. */
  log: TaskLogger;
  /** Aborted when the try must stop (execution timeout, shutdown). */
  signal: AbortSignal;
  /** Sensors in reschedule mode: when the first poke of this task instance happened. */
  firstRescheduleDate?: Date | null;
}
