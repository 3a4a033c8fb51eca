import type { SerializedDag, SerializedTask } from '../../core/serialized-dag';
import { timeDelta } from './api-dates';

/** Airflow's `Task` schema from a serialized task. */
export function taskJson(task: SerializedTask, dag: SerializedDag): Record<string, unknown> {
  return {
    class_ref: { module_path: 'dagctl', class_name: task.operator },
    task_id: task.taskId,
    owner: dag.owner,
    ...(dag.startDate ? { start_date: dag.startDate } : {}),
    end_date: dag.endDate ?? null,
    // Airflow 2.6.3's enum has no all_done_setup_success (2.7): a teardown shows as all_done.
    trigger_rule: task.triggerRule === 'all_done_setup_success' ? 'all_done' : task.triggerRule,
    extra_links: [],
    depends_on_past: task.dependsOnPast,
    is_mapped: false,
    wait_for_downstream: task.waitForDownstream === true,
    retries: task.retries,
    queue: task.queue,
    pool: task.pool,
    pool_slots: task.poolSlots,
    execution_timeout: timeDelta(task.executionTimeoutMs),
    retry_delay: timeDelta(task.retryDelayMs),
    retry_exponential_backoff: task.retryExponentialBackoff,
    priority_weight: task.priorityWeight,
    weight_rule: task.weightRule,
    ui_color: '#fff',
    ui_fgcolor: '#000',
    template_fields: Object.keys(task.templateFields ?? {}),
    downstream_task_ids: [...task.downstream],
    // dagctl extras
    upstream_task_ids: [...task.upstream],
    task_group: task.taskGroup ?? null,
    is_setup: task.isSetup === true,
    is_teardown: task.isTeardown === true,
    max_active_tis_per_dag: task.maxActiveTisPerDag ?? null,
    doc: task.doc ?? null,
  };
}
