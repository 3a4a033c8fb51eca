import type { EntityManager } from 'typeorm';
import { execSql } from '../db/sql';
import { dagsRefusedByMaxActiveTasks, roomUnderMaxActiveTasks } from './deps/dag-max-active-tasks-dep';
import type { SlotUsage } from './deps/dep-context';
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
 * wider read follows.
 */
export interface QueueCandidateReads {
  readFirst(): Promise<CandidateRow[]>;
  /**
   * After the queueing rules refused some of the first read's candidates (a full pool, a DAG at its
   * limit): up to 4 × what may pass, so that the refused leave room for the next ones. Reads nothing
   * when the first read was not full (it had every candidate) or was already that wide.
   */
  readMoreAfterRefusals(): Promise<CandidateRow[]>;
}

/**
 * How to read the candidates of one pass, or null when none could pass: only task instances of
 * running runs can be queued, each within its DAG's max_active_tasks, so when every such DAG is at
 * its limit the read (which would walk every scheduled row to find none) is not sent.
 *
 * Like Airflow's starved pools/DAGs, the reads leave out, in SQL, what the rules would refuse
 * anyway (pools without an open slot, DAGs at their limit or without a serialized version), so they
 * return only rows that can be used: a 10,000-task run must not be read per loop.
 */
export function queueCandidateReads(
  m: EntityManager,
  slots: SlotUsage,
  scope: {
    onlyRun: OnlyRun | undefined;
    /** DAGs with a running run in the queuer's scope: only their task instances can be queued. */
    dagsWithRunningRuns: string[];
    /** Pools with a slot open (poolsWithOpenSlots). */
    openPools: string[];
    /** A DAG's max_active_tasks, null without a serialized version. */
    maxActiveTasksOf: (dagId: string) => number | null;
  },
  maxTisPerQuery: number,
): QueueCandidateReads | null {
  const room = roomUnderMaxActiveTasks(slots, scope.dagsWithRunningRuns, scope.maxActiveTasksOf);
  if (room === 0) return null;
  // How many the rules could let through at most (executor slots, core.parallelism, the batch).
  const atMost = Math.min(slots.executorSlotsFree ?? Infinity, slots.parallelism - slots.totalActive, maxTisPerQuery);
  const fullLimit = Math.min(maxTisPerQuery, atMost * 4);
  const firstLimit = Math.min(fullLimit, atMost, room);
  // Those at their limit, and those with a running run but no serialized version (the rule refuses
  // their every task instance: read, they would fill the LIMIT and crowd out other DAGs' tasks).
  const starvedDags = dagsRefusedByMaxActiveTasks(
    slots,
    new Set([...slots.dagActive.keys(), ...scope.dagsWithRunningRuns]),
    scope.maxActiveTasksOf,
  );
  const runScope = queueRunScope(scope.onlyRun, 'ti');
  const read = async (limit: number): Promise<CandidateRow[]> =>
    (
      await execSql<CandidateRow>(
        m,
        `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool, ti.pool_slots, ti.priority_weight,
                r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type, r.conf,
                EXISTS (SELECT 1 FROM xcom x WHERE x.dag_id = ti.dag_id AND x.run_id = ti.run_id) AS run_has_xcom
         FROM task_instance ti
           JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
           JOIN dag d ON d.dag_id = ti.dag_id
         WHERE ti.state = 'scheduled' AND ti.held = ? AND r.state = 'running' AND ${runScope.sql}
           AND ti.pool IN (${scope.openPools.map(() => '?').join(', ')})
           ${starvedDags.length ? `AND ti.dag_id NOT IN (${starvedDags.map(() => '?').join(', ')})` : ''}
         ORDER BY ti.priority_weight DESC
         LIMIT ?`,
        [false, ...runScope.params, ...scope.openPools, ...starvedDags, limit],
      )
    ).records;
  let firstCount = 0;
  return {
    async readFirst() {
      const rows = await read(firstLimit);
      firstCount = rows.length;
      return rows;
    },
    async readMoreAfterRefusals() {
      return firstCount === firstLimit && firstLimit < fullLimit ? read(fullLimit) : [];
    },
  };
}
