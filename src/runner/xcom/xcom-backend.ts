import type { TaskInstanceKey } from '../../core/task-instance-key';

/** Where one XCom value belongs: the task instance that pushed it and its key. */
export interface XComRef {
  ti: TaskInstanceKey;
  key: string;
}

/** What a purge covers: a whole DAG, one of its runs, or one task of a run (all map indexes). */
export interface XComScope {
  dagId: string;
  runId?: string;
  /** Only with runId. */
  taskId?: string;
}

/**
 * Where XCom values live. The runner, in the task's own process, calls `store` for every value a
 * try pushes (after it was checked to be JSON within `core.max_xcom_size`): what it returns is
 * what the xcom row holds. `load` turns a row's content back into the value when a task pulls it.
 * A backend that keeps values outside the database must make them readable wherever tasks run
 * (a shared folder or an object store) and stays responsible for them: `clearTry` runs when a try
 * of the task instance starts, before it pushes anything, and `purge` once the rows of a scope are
 * gone from the database (task instances cleared, a run or a DAG deleted).
 */
export interface XComBackend {
  readonly name: string;
  /** `json` is `JSON.stringify(value)`, already computed. Returns the row's content (JSON-able). */
  store(ref: XComRef, value: unknown, json: string): unknown;
  /** The value that `store` was given, from the row's content. */
  load(stored: unknown): unknown;
  /** Drop what earlier tries of this task instance left outside the database. */
  clearTry(ti: TaskInstanceKey): void;
  /** Drop what this backend keeps outside the database for the scope, whose rows are gone. */
  purge(scope: XComScope): void;
}
