import type { SerializedTask } from '../../core/serialized-dag';
import type { DagRunState, TaskStateOrNone } from '../../core/states';
import type { UpstreamCounts } from './upstream-counts';

/** The same task in the previous DAG run (depends_on_past). */
export interface PreviousTi {
  runId: string;
  state: TaskStateOrNone;
  /** wait_for_downstream: the states of its direct downstream task instances in that run. */
  downstream?: ReadonlyArray<{ taskId: string; state: TaskStateOrNone }>;
}

/** What the rules for none / up_for_retry / up_for_reschedule → scheduled read of one task instance. */
export interface ScheduleDepContext {
  task: Pick<SerializedTask, 'taskId' | 'triggerRule' | 'dependsOnPast' | 'waitForDownstream'>;
  state: TaskStateOrNone;
  /** When the next try (or a rescheduled sensor's next poke) may start; null if not waiting. */
  nextTryAt: Date | null;
  now: Date;
  /** The direct upstream task instances counted by state; computed only when a rule asks. */
  upstream(): UpstreamCounts;
  /** The direct upstream setup tasks counted by state (a teardown's trigger rule reads them). */
  upstreamSetups?: () => UpstreamCounts;
  /**
   * The same task in the previous DAG run: null when there is none (or it had no such task);
   * undefined when the caller did not read it, which depends_on_past never takes as a pass.
   */
  previous: PreviousTi | null | undefined;
}

/**
 * Slots in use and their limits, as the queuer counts them while it chooses: taking a slot for
 * one task instance (takeSlots) is seen by the rules for the next one.
 */
export interface SlotUsage {
  /** Pools and their slots (a pool that is not here does not exist). */
  poolCapacity: ReadonlyMap<string, number>;
  /** Pool slots taken by queued and running task instances. */
  poolUsed: Map<string, number>;
  /** Queued and running task instances per DAG. */
  dagActive: Map<string, number>;
  /**
   * Queued and running instances of one task across runs (`dagId\u0000taskId`), for the tasks
   * with max_active_tis_per_dag only: known before the candidates are read for the tasks of DAGs
   * with a running run (knowTaskActive), read for any other when it is a candidate.
   */
  taskActive: Map<string, number>;
  /** Queued and running task instances of all DAGs. */
  totalActive: number;
  /** core.parallelism. */
  parallelism: number;
  /** The executor's free slots; null where they are not known (outside the scheduler). */
  executorSlotsFree: number | null;
}

/** The key of SlotUsage.taskActive. */
export function taskActiveKey(dagId: string, taskId: string): string {
  return `${dagId}\u0000${taskId}`;
}

/** What the rules for scheduled → queued read of one task instance. */
export interface QueueDepContext {
  state: TaskStateOrNone;
  dagId: string;
  pool: string;
  poolSlots: number;
  runState: DagRunState;
  dagPaused: boolean;
  taskId: string;
  /** The task's max_active_tis_per_dag; null: no limit. */
  maxActiveTisPerDag: number | null;
  /** Paused with `--drain`: running runs still queue their tasks. */
  dagDraining: boolean;
  /** The user's hold on this task instance (`tasks hold`), or null when it is not held. */
  held: { by: string | null; reason: string | null } | null;
  /** The DAG's max_active_tasks (resolved by the parser); null when the DAG is not serialized. */
  maxActiveTasks: number | null;
  slots: SlotUsage;
}
