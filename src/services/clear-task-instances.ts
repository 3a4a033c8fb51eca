import { errorMessage, InvalidArgumentError } from '../core/errors';
import { TaskState, TaskStateOrNone } from '../core/states';
import { DagRunEntity, TaskInstanceEntity } from '../db/entities';
import { clearTaskInstanceStates, restartActiveTaskInstances } from '../db/transitions/clear-task-instance-states';
import { requeueFinishedDagRuns } from '../db/transitions/dag-run-transitions';
import { readSerializedDag } from '../db/reads/read-serialized-dag';
import type { XComScope } from '../runner/xcom/xcom-backend';
import { purgeXComFiles } from './purge-xcom-files';
import { recordAuditEvent } from './audit-log';
import { requireDag } from './require-dag';
import type { ServiceContext } from './service-context';
import { relatedTaskIds, withSetupsAndTeardowns } from '../core/task-graph';
import { runInTransaction } from '../db/transaction';

export interface ClearTaskInstancesInput {
  dagId: string;
  /** Task ids matching this regular expression (searched, like Airflow's `-t`). */
  taskRegex?: string;
  /** Exactly these task ids (combined with taskRegex when both are given). */
  taskIds?: string[];
  /** Only this run; otherwise every run in the logical-date range. */
  runId?: string;
  /** Inclusive logical-date range of the runs. */
  startDate?: Date;
  endDate?: Date;
  downstream?: boolean;
  upstream?: boolean;
  /** Only failed and upstream_failed task instances. */
  onlyFailed?: boolean;
  /** Only running task instances (with onlyFailed as well, as in Airflow, none match). */
  onlyRunning?: boolean;
  /** Set the cleared task instances' finished runs back to queued (default true, Airflow's reset_dag_runs). */
  resetDagRuns?: boolean;
  /** Report what would be cleared without changing anything. */
  dryRun?: boolean;
  actor?: string;
}

export interface TaskInstanceRef {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  state: TaskStateOrNone;
}

export interface ClearTaskInstancesResult {
  /** Task instances reset to no state (or that would be, in a dry run). */
  cleared: TaskInstanceRef[];
  /** Rows the guarded UPDATE actually moved (0 in a dry run). */
  clearedCount: number;
  /**
   * Queued or running task instances among `cleared`: set to restarting — their tries are stopped,
   * and they run again once every process of them is gone.
   */
  restarting: TaskInstanceRef[];
  /** Finished runs set back to 'queued' so the scheduler picks them up again. */
  runsRequeued: number;
}

const ACTIVE: TaskStateOrNone[] = [TaskState.QUEUED, TaskState.RUNNING];
const CHUNK = 400;

function compileRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new InvalidArgumentError(`invalid task regex '${source}': ${errorMessage(err)}`);
  }
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Airflow's clear: matching task instances go back to no state, keeping their try counts and
 * getting a fresh set of retries (max_tries = try_number + retries); their finished runs go back
 * to 'queued' so the scheduler runs the cleared tasks again. Queued or running ones become
 * restarting: their try is stopped first (see restartActiveTaskInstances).
 */
export async function clearTaskInstances(
  ctx: ServiceContext,
  input: ClearTaskInstancesInput,
): Promise<ClearTaskInstancesResult> {
  const regex = input.taskRegex !== undefined ? compileRegex(input.taskRegex) : null;
  if (input.startDate && input.endDate && input.startDate > input.endDate) {
    throw new InvalidArgumentError('start date is after end date');
  }
  const ds = ctx.dataSource;
  await requireDag(ds, input.dagId);
  const stored = await readSerializedDag(ds, input.dagId);

  const runQuery = ds
    .getRepository(DagRunEntity)
    .createQueryBuilder('r')
    .select(['r.runId'])
    .where('r.dag_id = :dagId', { dagId: input.dagId });
  if (input.runId !== undefined) runQuery.andWhere('r.run_id = :runId', { runId: input.runId });
  if (input.startDate) runQuery.andWhere('r.logical_date >= :start', { start: input.startDate.toISOString() });
  if (input.endDate) runQuery.andWhere('r.logical_date <= :end', { end: input.endDate.toISOString() });
  const runIds = (await runQuery.getMany()).map((run) => run.runId);

  const knownTaskIds = stored
    ? stored.dag.tasks.map((task) => task.taskId)
    : (
        await ds
          .getRepository(TaskInstanceEntity)
          .createQueryBuilder('ti')
          .select('DISTINCT ti.task_id', 'task_id')
          .where('ti.dag_id = :dagId', { dagId: input.dagId })
          .getRawMany<{ task_id: string }>()
      ).map((row) => row.task_id);
  let selected = knownTaskIds.filter(
    (taskId) => (!regex || regex.test(taskId)) && (!input.taskIds || input.taskIds.includes(taskId)),
  );
  if (stored && (input.downstream || input.upstream)) {
    const extra = new Set(selected);
    if (input.downstream) relatedTaskIds(stored.dag, selected, 'downstream').forEach((id) => extra.add(id));
    if (input.upstream) relatedTaskIds(stored.dag, selected, 'upstream').forEach((id) => extra.add(id));
    selected = [...extra];
  }
  // A cleared task's setups and their teardowns are cleared with it (Airflow 2.7).
  if (stored) selected = [...withSetupsAndTeardowns(stored.dag, selected)];
  const empty: ClearTaskInstancesResult = { cleared: [], clearedCount: 0, restarting: [], runsRequeued: 0 };
  if (selected.length === 0 || runIds.length === 0) return empty;

  const candidates: TaskInstanceEntity[] = [];
  for (const runChunk of chunks(runIds)) {
    for (const taskChunk of chunks(selected)) {
      const query = ds
        .getRepository(TaskInstanceEntity)
        .createQueryBuilder('ti')
        .where('ti.dag_id = :dagId', { dagId: input.dagId })
        .andWhere('ti.run_id IN (:...runIds)', { runIds: runChunk })
        .andWhere('ti.task_id IN (:...taskIds)', { taskIds: taskChunk });
      if (input.onlyFailed)
        query.andWhere('ti.state IN (:...failed)', { failed: [TaskState.FAILED, TaskState.UPSTREAM_FAILED] });
      if (input.onlyRunning) query.andWhere('ti.state = :running', { running: TaskState.RUNNING });
      candidates.push(...(await query.getMany()));
    }
  }
  const ref = (ti: TaskInstanceEntity): TaskInstanceRef => ({
    dagId: ti.dagId,
    runId: ti.runId,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    state: ti.state,
  });
  const cleared = candidates.map(ref);
  const restarting = candidates.filter((ti) => ACTIVE.includes(ti.state)).map(ref);
  if (input.dryRun || cleared.length === 0) return { ...empty, cleared, restarting };

  const retriesOf = new Map((stored?.dag.tasks ?? []).map((task) => [task.taskId, task.retries]));
  const now = ctx.clock.now();
  // Whose XCom rows went with the clear (all map indexes of a task in each run): their files go after it.
  const purged: XComScope[] = [];
  const result = await runInTransaction(ds, async (tx) => {
    purged.length = 0;
    let clearedCount = 0;
    const byTask = new Map<string, string[]>();
    for (const ti of cleared) byTask.set(ti.taskId, [...(byTask.get(ti.taskId) ?? []), ti.runId]);
    for (const [taskId, runIds] of byTask) {
      const task = { dagId: input.dagId, taskId, runIds, retries: retriesOf.get(taskId) };
      const moved = await clearTaskInstanceStates(tx, task, now);
      clearedCount += moved;
      if (moved > 0) purged.push(...runIds.map((runId) => ({ dagId: input.dagId, runId, taskId })));
      // Airflow's clear of a running task instance: its try is stopped, then it runs again.
      clearedCount += await restartActiveTaskInstances(tx, task, now);
    }
    const runsRequeued =
      input.resetDagRuns === false
        ? 0
        : await requeueFinishedDagRuns(tx, input.dagId, [...new Set(cleared.map((ti) => ti.runId))], now);
    await recordAuditEvent(tx, ctx.clock, {
      event: 'clear',
      dagId: input.dagId,
      runId: input.runId ?? null,
      actor: input.actor ?? ctx.actor,
      extra: { tasks: [...byTask.keys()], task_instances: clearedCount, runs_requeued: runsRequeued },
    });
    return { cleared, clearedCount, restarting, runsRequeued };
  });
  purgeXComFiles(ctx, purged);
  return result;
}
