import type { TriggeringDatasetEvent } from './dataset';
import type { TaskInstanceKey } from './task-instance-key';

/*
 * The executor protocol: what the scheduler hands an executor, what the runner reports, and the
 * interface every executor implements. It lives in core so that the runner, the authoring SDK
 * (TaskOutcome) and the scheduler can name it without depending on any executor.
 */

/**
 * What the scheduler hands an executor: everything needed to run ONE try of a task instance,
 * without the runner having to ask the scheduler anything (bullmq workers have no DB access).
 */
export interface TaskWorkload {
  key: TaskInstanceKey;
  tryNumber: number;
  /** The DAG file to load. */
  fileloc: string;
  /** Serialized DAG hash the scheduler decided with; the runner warns/fails on a mismatch. */
  dagHash: string | null;
  queue: string;
  /** Higher runs first. */
  priority: number;
  executionTimeoutMs: number | null;
  pool: string;
  poolSlots: number;
  /** Run facts for the task context. */
  logicalDate: string;
  dataIntervalStart: string | null;
  dataIntervalEnd: string | null;
  runType: string;
  conf: Record<string, unknown>;
  /** Airflow's max_tries: how many retries this task instance may use (tries allowed = maxTries + 1). */
  maxTries: number;
  /** XComs of the tasks of this run: taskId → key → JSON value (a mapped task: the list by map index). */
  xcoms: Record<string, Record<string, unknown>>;
  /** For sensors in reschedule mode: when the first poke happened (timeout counts from it). */
  firstRescheduleDate: string | null;
  /**
   * The DAG's latest successful run before this one (Airflow's prev_*_success template names):
   * its data interval and when this task's instance in it started; null when there is none.
   * Absent (the scheduler's workloads): the runner asks its VariableSource, only when a template
   * names one of them.
   */
  prevSuccess?: PrevSuccess | null;
  /** A dataset-triggered run: the dataset events that triggered it (absent or empty otherwise). */
  triggeringDatasetEvents?: TriggeringDatasetEvent[];
}

export interface PrevSuccess {
  dataIntervalStart: string | null;
  dataIntervalEnd: string | null;
  /** start_date of this task's instance in that run (null when it has none). */
  startDate: string | null;
}

/** The outcome the task runner reports for one try. */
export type TaskOutcomeState = 'success' | 'failed' | 'skipped' | 'up_for_reschedule';

export interface TaskOutcome {
  state: TaskOutcomeState;
  /** XComs pushed by the try: key → JSON value ('return_value' for what the task returned). */
  xcoms?: Record<string, unknown>;
  /** One-line reason for failure / skip / reschedule. */
  reason?: string;
  /** For up_for_reschedule: when to poke again (ISO). */
  rescheduleAt?: string;
  /** Task ids to follow for branch operators; other direct downstream tasks get skipped. */
  followTaskIds?: string[];
  /** ShortCircuit: skip every downstream task. */
  skipDownstream?: boolean;
  /** True when failing must not retry (e.g. the DAG/task no longer exists). */
  noRetry?: boolean;
  renderedFields?: Record<string, unknown>;
  /**
   * For XComs a mapped task expands over: key → the length of the list pushed (the scheduler
   * records it in `task_map` and expands from it without reading the value).
   */
  mapLengths?: Record<string, number>;
}

/** What executors report; the scheduler alone turns these into task state. */
export type ExecutorEvent =
  | { type: 'started'; key: TaskInstanceKey; tryNumber: number; at: string; hostname: string; pid: number | null }
  | { type: 'finished'; key: TaskInstanceKey; tryNumber: number; at: string; outcome: TaskOutcome }
  /** The process running the try died or was killed (timeout, crash, lost worker). */
  | { type: 'lost'; key: TaskInstanceKey; tryNumber: number; at: string; reason: string };

/**
 * A tiny interface, like Airflow's BaseExecutor: executors run tasks and report events; they
 * never touch task state in the database.
 */
export interface Executor {
  readonly name: string;
  start(): Promise<void>;
  /**
   * Hand over a workload; it starts as soon as a slot is free. With a `reservation` (see
   * reserveStarts) the try was claimed already and starts at once in the process set aside for it.
   */
  queueWorkload(workload: TaskWorkload, reservation?: StartReservation): void;
  /** How many more workloads may be queued now. */
  slotsAvailable(): number;
  /** Take (and clear) the events reported since the last call. */
  drainEvents(): ExecutorEvent[];
  /** Called whenever a new event is available, so the scheduler loop can wake at once. */
  onEvent(listener: () => void): void;
  /** Keys of tries this executor currently runs (for zombie detection after restarts). */
  runningKeys(): Array<{ key: TaskInstanceKey; tryNumber: number }>;
  /**
   * Stop one try now — its whole process tree: SIGTERM, then SIGKILL after
   * `core.killed_task_cleanup_time`. `reason` (why, and by whom) goes into the task log; the end
   * is reported as a failed `finished` event once its processes are gone. Returns whether this
   * executor had that try. Executors without it cannot stop single tries.
   */
  killTry?(key: TaskInstanceKey, tryNumber: number, reason: string): boolean;
  /**
   * From now on, start a try only after `claim` granted it (the scheduler's guarded queued →
   * running, see claimTryStart); a refused try never runs and reports nothing, and a granted one
   * reports no `started` event (the claim wrote its start). Executors whose runners claim by
   * other means do not implement it.
   */
  claimTriesWith?(claim: TryClaim): void;
  /**
   * Set aside up to `count` task processes that are idle and ready now, one per try, so the
   * scheduler can claim those tries in the transaction that queues them (with these pids) and
   * hand them over after its commit — one transaction and one wait fewer per try than a claim of
   * their own. Only while tries are claimed (claimTriesWith); none when no process is ready.
   */
  reserveStarts?(count: number): StartReservation[];
  /** Stop taking work and wait for running tries to finish (up to timeoutMs), then kill them. */
  end(timeoutMs?: number): Promise<void>;
  /** Kill everything now. */
  terminate(): Promise<void>;
}

/** Where and when a try is about to start, asked of the scheduler before its command runs. */
export interface TryClaimRequest {
  key: TaskInstanceKey;
  tryNumber: number;
  at: string;
  hostname: string;
  pid: number | null;
}

/** A task process set aside for one try until it is handed over (queueWorkload) or released. */
export interface StartReservation {
  readonly pid: number;
  readonly hostname: string;
  /** Give the process back unused (the claim's transaction failed); a no-op once handed over. */
  release(): void;
}

/** Resolves true when the try is this runner's to start (it won the claim). */
export type TryClaim = (request: TryClaimRequest) => Promise<boolean>;

/** Executors whose tasks outlive the scheduler that queued them (bullmq) adopt them instead. */
export interface AdoptingExecutor {
  adoptsOrphans: true;
}

/** True when the executor adopts the queued and running tries of a scheduler that is gone. */
export function adoptsOrphans(executor: Executor): boolean {
  return (executor as Partial<AdoptingExecutor>).adoptsOrphans === true;
}
