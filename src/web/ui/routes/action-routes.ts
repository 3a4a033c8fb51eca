import type { Router } from 'express';
import { InvalidArgumentError, NotFoundError } from '../../../core/errors';
import { clearTaskInstances } from '../../../services/clear-task-instances';
import { deleteDag } from '../../../services/delete-dag';
import { assertMarkableDagRunState, markDagRunState } from '../../../services/mark-dag-run-state';
import { assertMarkableTaskState, markTaskInstanceState } from '../../../services/mark-task-instance-state';
import { setDagPaused } from '../../../services/set-dag-paused';
import { holdTask, resumeTask } from '../../../services/hold-task-instance';
import { cancelBackfillByHand, requireBackfill, setBackfillPausedByHand } from '../../../services/backfills';
import { requireDag } from '../data/load-dag';
import { currentUser } from '../ui-deps';
import type { UiRouteContext } from '../ui-route-context';
import { confirmThenRun } from './confirm-step';
import { allow, body, csrfProtected, dagPath, page, safeNext, taskInstancePath, text } from './route-helpers';
import { registerTriggerRoutes } from './trigger-routes';

function withNotice(url: string, notice: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}notice=${notice}`;
}

function describeTis(tis: Array<{ taskId: string; runId: string; state: string | null }>): string[] {
  return tis.map((ti) => `${ti.taskId} · ${ti.runId} · ${ti.state ?? 'no state'}`);
}

/**
 * Pause, delete, clear and mark: each needs its permission (as the matching API route does), is
 * CSRF-checked, and sits behind a confirmation step.
 */
export function registerActionRoutes(router: Router, c: UiRouteContext): void {
  const guard = (action: string, resource: string) => [...allow(c, { action, resource }), ...csrfProtected(c)];
  const actor = (req: Parameters<typeof currentUser>[0]): string | undefined => currentUser(req)?.username;

  registerTriggerRoutes(router, c, guard('can_create', 'DAG Runs'));

  router.post(
    '/dags/:dagId/pause',
    ...guard('can_edit', 'DAGs'),
    page(c, async (req, res) => {
      const dagId = String(req.params.dagId);
      await requireDag(c.ctx.dataSource, dagId);
      const paused = text(body(req).paused) === 'true';
      const drain = paused && text(body(req).drain) === 'true';
      const next = safeNext(body(req).next, dagPath(dagId));
      await confirmThenRun(
        c,
        req,
        res,
        {
          title: drain ? 'Drain DAG' : paused ? 'Pause DAG' : 'Unpause DAG',
          message: drain
            ? `Pause DAG '${dagId}' with drain? No new run will be created or triggered; running runs finish.`
            : paused
              ? `Pause DAG '${dagId}'? No new runs will be scheduled and no tasks will start.`
              : `Unpause DAG '${dagId}'? The scheduler will resume creating and running its runs.`,
          confirmLabel: drain ? 'Drain' : paused ? 'Pause' : 'Unpause',
          cancelUrl: next,
        },
        async () => {
          await setDagPaused(c.ctx, dagId, paused, actor(req), { drain });
          return withNotice(next, drain ? 'draining' : paused ? 'paused' : 'unpaused');
        },
      );
    }),
  );

  for (const action of ['pause', 'unpause', 'cancel'] as const) {
    router.post(
      `/dags/:dagId/backfills/:backfillId/${action}`,
      ...guard('can_edit', 'DAG Runs'),
      page(c, async (req, res) => {
        const dagId = String(req.params.dagId);
        const id = Number(req.params.backfillId);
        if (!Number.isInteger(id) || id < 1) throw new InvalidArgumentError('backfill id must be a positive integer');
        // The URL names the DAG: a backfill of another DAG is not this page's to change.
        if ((await requireBackfill(c.ctx, id)).dagId !== dagId)
          throw new NotFoundError(`backfill ${id} of DAG '${dagId}' not found`);
        const back = dagPath(dagId, 'details');
        await confirmThenRun(
          c,
          req,
          res,
          {
            title: `${action[0].toUpperCase()}${action.slice(1)} backfill`,
            message:
              action === 'cancel'
                ? `Cancel backfill ${id}? No new run is created, its queued runs fail; running runs finish.`
                : action === 'pause'
                  ? `Pause backfill ${id}? No new run is created or started until it is unpaused.`
                  : `Unpause backfill ${id}? The scheduler goes on creating its runs.`,
            confirmLabel: `${action[0].toUpperCase()}${action.slice(1)}`,
            cancelUrl: back,
          },
          async () => {
            const ctx = { ...c.ctx, actor: actor(req) };
            if (action === 'cancel') await cancelBackfillByHand(ctx, id);
            else await setBackfillPausedByHand(ctx, id, action === 'pause');
            return withNotice(back, `backfill_${action === 'cancel' ? 'cancelled' : `${action}d`}`);
          },
        );
      }),
    );
  }

  for (const action of ['hold', 'resume'] as const) {
    router.post(
      `/dags/:dagId/runs/:runId/tasks/:taskId/${action}`,
      ...guard('can_edit', 'Task Instances'),
      page(c, async (req, res) => {
        const key = {
          dagId: String(req.params.dagId),
          runId: String(req.params.runId),
          taskId: String(req.params.taskId),
          mapIndex: -1,
        };
        const back = taskInstancePath(key.dagId, key.runId, key.taskId);
        const reason = text(body(req).reason) || null;
        await confirmThenRun(
          c,
          req,
          res,
          {
            title: action === 'hold' ? 'Hold task instance' : 'Resume task instance',
            message:
              action === 'hold'
                ? `Hold '${key.taskId}' of run '${key.runId}'? The scheduler will not queue it until it is resumed; ` +
                  'the rest of the run goes on.'
                : `Resume '${key.taskId}' of run '${key.runId}'? The scheduler queues it when it is ready.`,
            details: reason ? [`Reason: ${reason}`] : undefined,
            confirmLabel: action === 'hold' ? 'Hold' : 'Resume',
            cancelUrl: back,
          },
          async () => {
            if (action === 'hold') await holdTask(c.ctx, key, { reason, actor: actor(req) ?? null });
            else await resumeTask(c.ctx, key, { actor: actor(req) ?? null });
            return withNotice(back, action === 'hold' ? 'held' : 'resumed');
          },
        );
      }),
    );
  }

  router.post(
    '/dags/:dagId/delete',
    ...guard('can_delete', 'DAGs'),
    page(c, async (req, res) => {
      const dagId = String(req.params.dagId);
      await requireDag(c.ctx.dataSource, dagId);
      await confirmThenRun(
        c,
        req,
        res,
        {
          title: 'Delete DAG',
          message:
            `Delete DAG '${dagId}' and all its runs, task instances and XComs from the database? ` +
            'The DAG file stays; if it still defines the DAG, it comes back on the next parse without history.',
          confirmLabel: 'Delete',
          danger: true,
          cancelUrl: dagPath(dagId, 'details'),
        },
        async () => {
          await deleteDag(c.ctx, dagId, actor(req));
          return withNotice('/', 'deleted');
        },
      );
    }),
  );

  router.post(
    '/dags/:dagId/runs/:runId/tasks/:taskId/clear',
    ...guard('can_edit', 'Task Instances'),
    page(c, async (req, res) => {
      const dagId = String(req.params.dagId);
      const runId = String(req.params.runId);
      const taskId = String(req.params.taskId);
      const downstream = text(body(req).downstream) === 'true';
      const input = { dagId, runId, taskIds: [taskId], downstream, actor: actor(req) };
      const back = taskInstancePath(dagId, runId, taskId);
      await confirmThenRun(
        c,
        req,
        res,
        async () => {
          const preview = await clearTaskInstances(c.ctx, { ...input, dryRun: true });
          return {
            title: 'Clear task instances',
            message: preview.cleared.length
              ? `Clear ${preview.cleared.length} task instance(s)${downstream ? ' (with downstream)' : ''}? ` +
                'They will run again.'
              : 'Nothing to clear.',
            details: describeTis(preview.cleared).map((line, i) =>
              ['queued', 'running'].includes(preview.cleared[i].state ?? '')
                ? `${line} (running: its try is stopped first)`
                : line,
            ),
            confirmLabel: 'Clear',
            cancelUrl: back,
          };
        },
        async () => {
          await clearTaskInstances(c.ctx, input);
          return withNotice(back, 'cleared');
        },
      );
    }),
  );

  router.post(
    '/dags/:dagId/runs/:runId/tasks/:taskId/mark',
    ...guard('can_edit', 'Task Instances'),
    page(c, async (req, res) => {
      const dagId = String(req.params.dagId);
      const runId = String(req.params.runId);
      const taskId = String(req.params.taskId);
      const state = text(body(req).state);
      assertMarkableTaskState(state);
      const downstream = text(body(req).downstream) === 'true';
      const input = { dagId, runId, taskId, state, downstream, actor: actor(req) };
      const back = taskInstancePath(dagId, runId, taskId);
      await confirmThenRun(
        c,
        req,
        res,
        async () => {
          const preview = await markTaskInstanceState(c.ctx, { ...input, dryRun: true });
          return {
            title: `Mark ${state}`,
            message: preview.changed.length
              ? `Mark ${preview.changed.length} task instance(s) as ${state}?`
              : `Nothing to change: already ${state}.`,
            details: describeTis(preview.changed),
            confirmLabel: `Mark ${state}`,
            danger: state === 'failed',
            cancelUrl: back,
          };
        },
        async () => {
          await markTaskInstanceState(c.ctx, input);
          return withNotice(back, 'marked');
        },
      );
    }),
  );

  router.post(
    '/dags/:dagId/runs/:runId/mark',
    ...guard('can_edit', 'DAG Runs'),
    page(c, async (req, res) => {
      const dagId = String(req.params.dagId);
      const runId = String(req.params.runId);
      const state = text(body(req).state);
      if (state !== 'success' && state !== 'failed')
        throw new InvalidArgumentError(`cannot mark a DAG run '${state}' here: use success or failed`);
      assertMarkableDagRunState(state);
      const back = `${dagPath(dagId)}?run_id=${encodeURIComponent(runId)}`;
      await confirmThenRun(
        c,
        req,
        res,
        {
          title: `Mark run ${state}`,
          message:
            `Mark DAG run '${runId}' of '${dagId}' as ${state}? ` +
            (state === 'success'
              ? 'Unfinished tasks are marked success.'
              : 'Running tasks are failed and the rest not finished are skipped.'),
          confirmLabel: `Mark ${state}`,
          danger: state === 'failed',
          cancelUrl: back,
        },
        async () => {
          await markDagRunState(c.ctx, { dagId, runId, state, actor: actor(req) });
          return withNotice(back, 'marked');
        },
      );
    }),
  );
}
