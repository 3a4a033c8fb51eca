import type { RequestHandler, Router } from 'express';
import { errorMessage, InvalidArgumentError, UserError } from '../../../core/errors';
import { triggerDagRun } from '../../../services/trigger-dag-run';
import { confFromParamFields, paramFields, withPostedValues } from '../data/param-form';
import { currentUser } from '../ui-deps';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage } from './dag-page-data';
import { allow, body, dagPath, page, text } from './route-helpers';

function parseConf(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new InvalidArgumentError(`conf is not valid JSON: ${errorMessage(err)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidArgumentError('conf must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Trigger: the form (one field per param, generated from its schema, defaults filled in, plus
 * optional extra conf JSON) is the confirmation step; posting it creates the run and shows the
 * grid, where the new run turns green live. The conf is checked against the params' schemas by
 * triggerDagRun, before any run exists.
 */
export function registerTriggerRoutes(router: Router, c: UiRouteContext, guard: RequestHandler[]): void {
  router.get(
    '/dags/:dagId/trigger',
    ...allow(c, { action: 'can_create', resource: 'DAG Runs' }),
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'trigger');
      c.render(req, res, 'trigger.njk', {
        ...header,
        params: paramFields(header.dag),
        conf: '',
        runId: '',
        error: null,
      });
    }),
  );

  router.post(
    '/dags/:dagId/trigger',
    ...guard,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'trigger');
      const posted = body(req);
      const rawConf = text(posted.conf);
      const runId = text(posted.run_id).trim();
      const fields = paramFields(header.dag);
      try {
        // The JSON box is for keys beyond the params; it wins over the fields when both set a key.
        const conf = { ...confFromParamFields(fields, posted), ...parseConf(rawConf) };
        const run = await triggerDagRun(
          { ...c.ctx, actor: currentUser(req)?.username },
          { dagId: header.dag.dagId, conf, runId: runId || undefined },
        );
        res.redirect(303, `${dagPath(header.dag.dagId)}?run_id=${encodeURIComponent(run.runId)}&notice=triggered`);
      } catch (err) {
        // Bad conf, a taken run id…: show the form again with the reason.
        if (!(err instanceof UserError)) throw err;
        c.render(
          req,
          res,
          'trigger.njk',
          { ...header, params: withPostedValues(fields, posted), conf: rawConf, runId, error: err.message },
          400,
        );
      }
    }),
  );
}
