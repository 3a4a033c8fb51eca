import { NotFoundError } from '../core/errors';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';
import type { PreviousTi } from '../scheduler/deps/dep-context';
import { explainFailedDeps } from '../scheduler/deps/dep-sets';
import type { FailedDep } from '../scheduler/deps/ti-dep';
import { countUpstream } from '../scheduler/deps/upstream-counts';
import { readPreviousRun } from '../scheduler/read-previous-run';
import { readActiveCounts, readPools, readTaskActive, slotUsage } from '../scheduler/slot-usage';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { requireDag, requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';

export interface TaskInstanceFailedDeps {
  dagId: string;
  taskId: string;
  runId: string;
  /** null: the task instance has no state yet (or does not exist yet: a queued run). */
  state: TaskStateOrNone;
  /** Every rule that keeps it from running, in the order the scheduler checks them; empty: all met. */
  failedDeps: FailedDep[];
}

/**
 * Why a task instance is not running (`tasks failed-deps`, the API's `failed_deps`, the UI):
 * reads what the scheduler would read and evaluates the scheduler's own rule sets. The one thing
 * only the running scheduler knows, its executor's free slots, is left out.
 */
export async function taskInstanceFailedDeps(
  ctx: ServiceContext & { config: { core: { parallelism: number } } },
  key: { dagId: string; taskId: string; runId: string },
): Promise<TaskInstanceFailedDeps> {
  const ds = ctx.dataSource;
  const run = await requireDagRun(ds, key.dagId, key.runId);
  const { dag } = await requireSerializedDag(ds, key.dagId);
  const task = dag.tasks.find((t) => t.taskId === key.taskId);
  if (!task) throw new NotFoundError(`task '${key.taskId}' not found in DAG '${key.dagId}'`);
  const dagRow = await requireDag(ds, key.dagId);

  const { records } = await execSql<{
    task_id: string;
    state: TaskStateOrNone;
    next_try_at: string | Date | null;
    pool: string;
    pool_slots: number | string;
    held: unknown;
    held_by: string | null;
    hold_reason: string | null;
  }>(
    ds,
    'SELECT task_id, state, next_try_at, pool, pool_slots, held, held_by, hold_reason FROM task_instance ' +
      'WHERE dag_id = ? AND run_id = ? AND map_index = -1',
    [key.dagId, key.runId],
  );
  const tis = new Map(records.map((r) => [r.task_id, r]));
  const ti = tis.get(key.taskId);
  const state = ti?.state ?? null;

  let previous: PreviousTi | null = null;
  if (task.dependsOnPast) {
    const previousRun = await readPreviousRun(ds, { dagId: key.dagId, id: run.id }, [key.taskId, ...task.downstream]);
    const before = previousRun?.states.get(key.taskId);
    const downstream = task.downstream.map((id) => ({ taskId: id, state: previousRun?.states.get(id) ?? null }));
    previous = previousRun && before !== undefined ? { runId: previousRun.runId, state: before, downstream } : null;
  }

  const slots = slotUsage(await readPools(ds, { lock: false }), await readActiveCounts(ds), {
    parallelism: ctx.config.core.parallelism,
    executorSlotsFree: null,
  });
  const maxActiveTisPerDag = task.maxActiveTisPerDag ?? null;
  if (maxActiveTisPerDag !== null) await readTaskActive(ds, slots, key.dagId, key.taskId);
  const setupIds = new Set(dag.tasks.filter((t) => t.isSetup).map((t) => t.taskId));
  const failedDeps = explainFailedDeps({
    task,
    state,
    nextTryAt: ti?.next_try_at ? new Date(ti.next_try_at) : null,
    now: ctx.clock.now(),
    upstream: () => countUpstream(task.upstream.map((id) => tis.get(id)?.state ?? null)),
    upstreamSetups: () =>
      countUpstream(task.upstream.filter((id) => setupIds.has(id)).map((id) => tis.get(id)?.state ?? null)),
    previous,
    dagId: key.dagId,
    taskId: key.taskId,
    maxActiveTisPerDag,
    pool: ti?.pool ?? task.pool,
    poolSlots: ti ? Number(ti.pool_slots) : task.poolSlots,
    runState: run.state,
    dagPaused: dagRow.isPaused,
    dagDraining: dagRow.isDraining,
    held: ti && (ti.held === true || ti.held === 1) ? { by: ti.held_by, reason: ti.hold_reason } : null,
    maxActiveTasks: dag.maxActiveTasks,
    slots,
  });
  return { ...key, state, failedDeps };
}
