import { maskSensitiveKeys } from '../core/secrets-masker';
import type { DagEntity, DagRunEntity, TaskInstanceEntity } from '../db/entities';
import type { RunDeadline } from '../db/reads/deadline-reads';
import { isoOrNull } from './output';

/** The JSON shapes of contract §2, shared by the commands that print them. */

export function dagJson(dag: DagEntity): Record<string, unknown> {
  return {
    dag_id: dag.dagId,
    is_paused: dag.isPaused,
    is_draining: dag.isDraining,
    fileloc: dag.fileloc,
    schedule: dag.schedule,
    next_dagrun: isoOrNull(dag.nextDagrun),
    is_active: dag.isActive,
    description: dag.description,
    tags: dag.tags ?? [],
    owners: dag.owners,
  };
}

/**
 * A run as the CLI prints it: values under sensitive keys of its conf are `***` (contract §6: CLI
 * output masks secrets; only `get` commands show them). `extraWords`: the words of
 * `core.sensitive_var_conn_names`, split.
 */
export function dagRunJson(
  run: DagRunEntity,
  extraWords: readonly string[],
  deadline: RunDeadline | null = null,
): Record<string, unknown> {
  return {
    dag_id: run.dagId,
    run_id: run.runId,
    state: run.state,
    run_type: run.runType,
    logical_date: isoOrNull(run.logicalDate),
    start_date: isoOrNull(run.startDate),
    end_date: isoOrNull(run.endDate),
    data_interval_start: isoOrNull(run.dataIntervalStart),
    data_interval_end: isoOrNull(run.dataIntervalEnd),
    external_trigger: run.externalTrigger,
    conf: maskSensitiveKeys(run.conf ?? {}, extraWords),
    late_seconds: run.lateSeconds ?? null,
    deadline: isoOrNull(deadline?.deadline ?? null),
    deadline_missed: Boolean(deadline?.missedAt),
    deadline_missed_at: isoOrNull(deadline?.missedAt ?? null),
  };
}

export function taskInstanceJson(ti: TaskInstanceEntity): Record<string, unknown> {
  return {
    dag_id: ti.dagId,
    run_id: ti.runId,
    task_id: ti.taskId,
    map_index: ti.mapIndex,
    state: ti.state,
    try_number: ti.tryNumber,
    max_tries: ti.maxTries,
    start_date: isoOrNull(ti.startDate),
    end_date: isoOrNull(ti.endDate),
    duration: ti.duration,
    operator: ti.operator,
    pool: ti.pool,
    queue: ti.queue,
    end_reason: ti.endReason,
    held: ti.held,
    held_by: ti.heldBy,
    hold_reason: ti.holdReason,
  };
}
