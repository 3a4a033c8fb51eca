import type { Router } from 'express';
import { backfillProgress } from '../../../services/backfill-progress';
import { listBackfills } from '../../../services/backfills';
import { DagCodeEntity } from '../../../db/entities';
import { describeInterval } from '../data/describe-schedule';
import { formatDate } from '../render/format';
import { renderMarkdown } from '../render/render-markdown';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage } from './dag-page-data';
import { page } from './route-helpers';

function ms(value: number | null): string {
  return value === null ? '—' : describeInterval(value).replace(/^Every /, '');
}

export function registerCodeAndDetailsRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/code',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'code');
      const code = await c.ctx.dataSource.getRepository(DagCodeEntity).findOneBy({ fileloc: header.dag.fileloc });
      const lines = code ? code.sourceCode.split('\n') : [];
      c.render(req, res, 'code.njk', { ...header, code, lines });
    }),
  );

  router.get(
    '/dags/:dagId/details',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'details');
      const { dag, model } = header;
      const options: Array<[string, string]> = [
        ['Owner', dag.owner],
        ['File', dag.fileloc],
        ['Start date', formatDate(dag.startDate)],
        ['End date', formatDate(dag.endDate)],
        ['Catchup', dag.catchup ? 'yes' : 'no'],
        ['Max active runs', String(dag.maxActiveRuns)],
        ['Max active tasks', String(dag.maxActiveTasks)],
        ['Run timeout', ms(dag.dagrunTimeoutMs)],
        ['Paused', model?.isPaused ? 'yes' : 'no'],
        ['Last parsed', formatDate(model?.lastParsedTime)],
        ['Next run', formatDate(model?.nextDagrun)],
      ];
      const tasks = dag.tasks.map((task) => ({
        ...task,
        retryDelay: ms(task.retryDelayMs),
        executionTimeout: ms(task.executionTimeoutMs),
      }));
      const { backfills } = await listBackfills(c.ctx, { dagId: dag.dagId, limit: 10 });
      c.render(req, res, 'details.njk', {
        ...header,
        options,
        tasks,
        timetable: dag.schedule,
        docHtml: renderMarkdown(dag.docMd),
        backfills: backfills.map((b) => ({ ...b, progress: backfillProgress(b) })),
      });
    }),
  );
}
