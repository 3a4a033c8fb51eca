import type { Router } from 'express';
import { HOLDABLE_STATES } from '../../../db/transitions/hold-task-instance';
import { ACTIVE_TASK_STATES, TaskState, TaskStateOrNone } from '../../../core/states';
import { taskInstanceFailedDeps } from '../../../services/task-instance-failed-deps';
import { LogChunk, readLogChunk } from '../data/read-log-chunk';
import { readTaskLog } from '../../../services/read-task-log';
import { loadTaskInstanceDetail } from '../data/task-instance-detail';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage, queryInt, queryString } from './dag-page-data';
import { jsonEndpoint, page } from './route-helpers';
import { loadSerializedDag } from '../data/load-dag';
import { xcomSettingsFromConfig } from '../../../runner/xcom/xcom-settings';

/** States of a task instance that is on its way to running: the page says what holds it. */
const WAITING_STATES: readonly TaskStateOrNone[] = [
  null,
  TaskState.SCHEDULED,
  TaskState.QUEUED,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];

/** Still producing log output: the page keeps tailing its current attempt. */
function isLive(state: TaskStateOrNone): boolean {
  return state !== null && (ACTIVE_TASK_STATES as readonly string[]).includes(state);
}

export function registerTaskInstanceRoutes(router: Router, c: UiRouteContext): void {
  const baseLogFolder = (): string => c.ctx.config.logging.base_log_folder;
  /** The local log file, or the copy a bullmq worker ships to Redis while the try runs there. */
  const readLogWithRemote = async (
    key: { dagId: string; runId: string; taskId: string; mapIndex: number },
    tryNumber: number,
    offset: number,
  ): Promise<LogChunk> => {
    let local: LogChunk | null = null;
    const chunk = await readTaskLog(
      c.ctx.config,
      key,
      tryNumber,
      offset,
      () => (local = readLogChunk(baseLogFolder(), key, tryNumber, offset)),
    );
    if (chunk.source !== 'remote') return local!;
    return {
      content: chunk.content,
      nextOffset: chunk.nextOffset,
      size: chunk.nextOffset + (chunk.more ? 1 : 0),
      exists: true,
    };
  };

  router.get(
    '/dags/:dagId/runs/:runId/tasks/:taskId',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'grid');
      const runId = String(req.params.runId);
      const taskId = String(req.params.taskId);
      const mapIndex = queryInt(req.query.map_index, -1, -1, Number.MAX_SAFE_INTEGER);
      const detail = await loadTaskInstanceDetail(
        c.ctx.dataSource,
        header.dag,
        runId,
        taskId,
        xcomSettingsFromConfig(c.ctx.config).backend,
        mapIndex,
      );
      const current = detail.ti?.tryNumber ?? 0;
      const live = isLive(detail.ti?.state ?? null);
      const key = { dagId: header.dag.dagId, runId, taskId, mapIndex };
      const attempts = await Promise.all(
        detail.attempts.map(async (attempt) => {
          const chunk = await readLogWithRemote(key, attempt.tryNumber, 0);
          return {
            ...attempt,
            log: chunk,
            live: live && attempt.tryNumber === current,
            truncated: chunk.nextOffset < chunk.size,
          };
        }),
      );
      // A queued task has no attempt row yet: show an empty, tailing log for the coming try.
      if (live && !attempts.some((a) => a.tryNumber === current) && current > 0) {
        attempts.push({
          tryNumber: current,
          state: detail.ti!.state,
          startDate: null,
          endDate: null,
          duration: null,
          hostname: null,
          endReason: null,
          log: await readLogWithRemote(key, current, 0),
          live: true,
          truncated: false,
        });
      }
      // "Why is this task not running?": the rules the scheduler checks, as `tasks failed-deps` shows them.
      const waiting = WAITING_STATES.includes(detail.ti?.state ?? null);
      const failedDeps = waiting
        ? (await taskInstanceFailedDeps(c.ctx, { dagId: header.dag.dagId, taskId, runId })).failedDeps
        : [];
      const selectedTry = queryInt(
        req.query.try_number,
        attempts.length ? attempts[attempts.length - 1].tryNumber : 0,
        0,
        10_000,
      );
      c.render(req, res, 'task-instance.njk', {
        ...header,
        ...detail,
        attempts,
        selectedTry,
        upstream: detail.task.upstream,
        downstream: detail.task.downstream,
        waiting,
        failedDeps,
        // Hold and resume (`tasks hold`): offered while the task instance is not queued yet.
        holdable: detail.ti !== null && HOLDABLE_STATES.includes(detail.ti.state),
      });
    }),
  );

  /** Live tail: the log of one attempt from a byte offset, and whether more may come. */
  router.get(
    '/ui/logs',
    c.deps.requireLogin,
    jsonEndpoint(async (req, res) => {
      const dagId = queryString(req.query.dag_id);
      const runId = queryString(req.query.run_id);
      const taskId = queryString(req.query.task_id);
      const tryNumber = queryInt(req.query.try_number, -1, -1, 100_000);
      if (!dagId || !runId || !taskId || tryNumber < 0) {
        res.status(400).json({ error: 'dag_id, run_id, task_id and try_number are required' });
        return;
      }
      const dag = await loadSerializedDag(c.ctx.dataSource, dagId);
      if (!dag) {
        res.status(404).json({ error: `DAG '${dagId}' not found` });
        return;
      }
      const mapIndex = queryInt(req.query.map_index, -1, -1, Number.MAX_SAFE_INTEGER);
      const chunk = await readLogWithRemote(
        { dagId, runId, taskId, mapIndex },
        tryNumber,
        queryInt(req.query.offset, 0, 0, Number.MAX_SAFE_INTEGER),
      );
      const detail = await loadTaskInstanceDetail(c.ctx.dataSource, dag, runId, taskId, undefined, mapIndex);
      const running = isLive(detail.ti?.state ?? null) && (detail.ti?.tryNumber ?? 0) === tryNumber;
      res.set('Cache-Control', 'no-store').json({
        content: chunk.content,
        offset: chunk.nextOffset,
        size: chunk.size,
        // More is coming while the attempt runs, or when this chunk stopped short of the end.
        more: running || chunk.nextOffset < chunk.size,
        state: detail.ti?.state ?? null,
      });
    }),
  );
}
