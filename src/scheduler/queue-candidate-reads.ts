import type { EntityManager } from 'typeorm';
import { execSql, placeholders } from '../db/sql';
import { dagsRefusedByMaxActiveTasks, roomUnderMaxActiveTasks } from './deps/dag-max-active-tasks-dep';
import type { SlotUsage } from './deps/dep-context';
import { openPoolSlots } from './deps/pool-slots-available-dep';
import { type TaskWithMaxActiveTis, tasksRefusedByTaskConcurrency } from './deps/task-concurrency-dep';
import { type OnlyRun, queueRunScope } from './queue-run-scope';

/** What a try's workload needs of its run, read with the candidates. */
export type RunFacts = {
  logical_date: string;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_type: string;
  conf: string | null;
  /** Whether the run has an XCom at all (1/0 on SQLite, a boolean on PostgreSQL). */
  run_has_xcom: boolean | number | string;
};

/** A scheduled task instance the queuer may choose, with the facts of its run. */
export type CandidateRow = {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  pool: string;
  pool_slots: number;
  priority_weight: number;
} & RunFacts;

/**
 * The candidates of one queueing pass, highest priority first (equal priorities in the order their
 * task instances were created, which walks an index instead of sorting). Read first only as many as
 * could pass: when none of them is refused, no later one could pass either; when some are, the
 * next read follows.
 */
export interface QueueCandidateReads {
  readFirst(): Promise<CandidateRow[]>;
  /**
   * After the queueing rules refused some of the last read's candidates: each refusal came from a
   * limit the candidates chosen in this pass reached (those reached before the pass were left out of
   * the read), so the same query is sent again leaving out the limits reached now too — the refused
   * rows cannot crowd out the next ones, however many there are — up to 4 × what may pass (the
   * rows chosen so far come back, to be skipped). Reads nothing when the last read was not full (it
   * had every candidate the rules could let through), when nothing more could pass, or after
   * MAX_READS_PER_PASS reads.
   *
   * Each such read that returns an unseen row chooses it (it was left out of no limit and took no
   * slot yet), so the reads of a pass end. The bound keeps a pass cheap where many limits are
   * reached one after another (many DAGs at max_active_tasks 1, each with many tasks waiting above
   * the rest): what the pass did not read waits for the next loop, whose first read leaves out every
   * limit this pass reached. A lower-priority task could still wait while, loop after loop, more
   * than MAX_READS_PER_PASS limits above it reach full within the pass and free up before the next.
   */
  readMoreAfterRefusals(): Promise<CandidateRow[]>;
}

/** The reads of one queueing pass at most: the first and those after refusals. */
export const MAX_READS_PER_PASS = 4;

/**
 * At most this many pools are named with their open slots in one read: SQLite nests each `OR` term
 * one level deeper and refuses an expression deeper than 1,000 ("Expression tree is too large").
 * Past it the pools are named without their slots (the rules refuse what does not fit): only a
 * saving is lost, never a row the rules would let through.
 */
export const MAX_POOLS_NAMED_WITH_SLOTS = 200;

/**
 * At most this many tasks at their limit are left out in one read (one `NOT IN` list of pairs, which
 * nests nothing; two bound parameters each, well under both drivers' limits). The rest are read and
 * refused.
 */
export const MAX_TASKS_LEFT_OUT = 5_000;

/**
 * How to read the candidates of one pass, or null when none could pass: only task instances of
 * running runs can be queued, each within its DAG's max_active_tasks, so when every such DAG is at
 * its limit the read (which would walk every scheduled row to find none) is not sent.
 *
 * Like Airflow's starved pools, DAGs and tasks, each read leaves out, in SQL, what the rules would
 * refuse anyway with the slots taken so far — pools without an open slot, task instances needing
 * more slots of their pool than are open, DAGs at their max_active_tasks or without a serialized
 * version, tasks at their max_active_tis_per_dag — so that it returns only rows that can be used (a
 * 10,000-task run must not be read per loop). Slots are only taken during a pass, so what is left
 * out at a read would be refused by the time its turn came. The rules (QUEUE_DEPS) still decide
 * every row read; the SQL only spares reading what they would refuse.
 */
export function queueCandidateReads(
  m: EntityManager,
  slots: SlotUsage,
  scope: {
    onlyRun: OnlyRun | undefined;
    /** DAGs with a running run in the queuer's scope: only their task instances can be queued. */
    dagsWithRunningRuns: string[];
    /** The tasks of those DAGs that set max_active_tis_per_dag, their counts in slots.taskActive. */
    tasksWithMaxActiveTis: TaskWithMaxActiveTis[];
    /** A DAG's max_active_tasks, null without a serialized version. */
    maxActiveTasksOf: (dagId: string) => number | null;
  },
  maxTisPerQuery: number,
): QueueCandidateReads | null {
  /** How many the rules could still let through (executor slots, core.parallelism, the batch). */
  const couldPass = (): number =>
    Math.min(slots.executorSlotsFree ?? Infinity, slots.parallelism - slots.totalActive, maxTisPerQuery);
  const roomNow = (): number => roomUnderMaxActiveTasks(slots, scope.dagsWithRunningRuns, scope.maxActiveTasksOf);
  const room = roomNow();
  if (room === 0) return null;
  const atMost = couldPass();
  const fullLimit = Math.min(maxTisPerQuery, atMost * 4);
  const firstLimit = Math.min(fullLimit, atMost, room);
  const runScope = queueRunScope(scope.onlyRun, 'ti');
  const read = async (limit: number): Promise<CandidateRow[]> => {
    const openPools = [...openPoolSlots(slots)];
    if (!openPools.length) return [];
    // Those at their limit, and those with a running run but no serialized version (the rule refuses
    // their every task instance: read, they would fill the LIMIT and crowd out other DAGs' tasks).
    const starvedDags = dagsRefusedByMaxActiveTasks(
      slots,
      new Set([...slots.dagActive.keys(), ...scope.dagsWithRunningRuns]),
      scope.maxActiveTasksOf,
    );
    const starvedTasks = tasksRefusedByTaskConcurrency(slots, scope.tasksWithMaxActiveTis).slice(0, MAX_TASKS_LEFT_OUT);
    const slotsNamed = openPools.length <= MAX_POOLS_NAMED_WITH_SLOTS;
    const poolCondition = slotsNamed
      ? `(${openPools.map(() => '(ti.pool = ? AND ti.pool_slots <= ?)').join(' OR ')})`
      : `ti.pool IN (${openPools.map(() => '?').join(', ')})`;
    const taskCondition = starvedTasks.length
      ? `AND (ti.dag_id, ti.task_id) NOT IN (VALUES ${placeholders(starvedTasks.length, 2)})`
      : '';
    const { records } = await execSql<CandidateRow>(
      m,
      `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool, ti.pool_slots, ti.priority_weight,
              r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type, r.conf,
              EXISTS (SELECT 1 FROM xcom x WHERE x.dag_id = ti.dag_id AND x.run_id = ti.run_id) AS run_has_xcom
       FROM task_instance ti
         JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
         JOIN dag d ON d.dag_id = ti.dag_id
       WHERE ti.state = 'scheduled' AND ti.held = ? AND r.state = 'running' AND ${runScope.sql}
         AND ${poolCondition}
         ${starvedDags.length ? `AND ti.dag_id NOT IN (${starvedDags.map(() => '?').join(', ')})` : ''}
         ${taskCondition}
       ORDER BY ti.priority_weight DESC
       LIMIT ?`,
      [
        false,
        ...runScope.params,
        ...(slotsNamed ? openPools.flat() : openPools.map(([pool]) => pool)),
        ...starvedDags,
        ...starvedTasks.flatMap((t) => [t.dagId, t.taskId]),
        limit,
      ],
    );
    return records;
  };
  let reads = 0;
  let lastWasFull = false;
  const readCounting = async (limit: number): Promise<CandidateRow[]> => {
    reads += 1;
    const rows = await read(limit);
    lastWasFull = rows.length === limit;
    return rows;
  };
  return {
    readFirst: () => readCounting(firstLimit),
    async readMoreAfterRefusals() {
      // Nothing more could pass: every pool full, every DAG at its limit (the read would walk every
      // scheduled row to find none), or no executor slot or parallelism left.
      const nothingMore = openPoolSlots(slots).size === 0 || roomNow() === 0 || couldPass() <= 0;
      if (!lastWasFull || reads >= MAX_READS_PER_PASS || nothingMore) return [];
      return readCounting(fullLimit);
    },
  };
}
