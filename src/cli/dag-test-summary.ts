import type { DagTestResult } from '../services/test-dag';
import { formatDurationMs } from '../runner/format-duration-ms';
import { printLine, printRows, type OutputFormat } from './output';

/** States whose reason says why a task did not succeed (a failed task's error, what failed upstream). */
const REASON_STATES = new Set(['failed', 'upstream_failed']);

/**
 * The end of `dags test`'s text output: one row per task instance in the order they ran, with
 * how long the last try took and how many tries there were, then why each failed task failed.
 */
export function printDagTestSummary(result: DagTestResult, format: OutputFormat): void {
  const mapped = result.task_instances.some((ti) => ti.map_index >= 0);
  printRows(
    result.task_instances.map((ti) => ({
      task_id: ti.task_id,
      map_index: ti.map_index >= 0 ? ti.map_index : '',
      state: ti.state,
      duration: ti.duration === null ? '' : formatDurationMs(ti.duration * 1000),
      tries: ti.try_number,
    })),
    format,
    // map_index only when the DAG maps a task, so other DAGs' tables stay narrow.
    mapped ? ['task_id', 'map_index', 'state', 'duration', 'tries'] : ['task_id', 'state', 'duration', 'tries'],
  );
  for (const ti of result.task_instances) {
    if (!ti.reason || !REASON_STATES.has(ti.state ?? '')) continue;
    const label = ti.map_index >= 0 ? `${ti.task_id}[${ti.map_index}]` : ti.task_id;
    printLine(`${ti.state === 'failed' ? 'Failed' : 'Upstream failed'}: ${label}: ${ti.reason}`);
  }
}
