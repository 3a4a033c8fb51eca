import type { Request, Response } from 'express';
import { UserError } from '../../../../core/errors';
import type { ServiceContext } from '../../../../services/service-context';
import { currentUser } from '../../ui-deps';
import type { UiRouteContext } from '../../ui-route-context';
import { confirmThenRun } from '../confirm-step';

/** The service context of a change made from the UI: the logged-in user is the audit log's owner. */
export function actingAs(c: UiRouteContext, req: Request): ServiceContext {
  const actor = currentUser(req)?.username;
  return actor ? { ...c.ctx, actor } : c.ctx;
}

/**
 * Run a form's change; on bad input (a UserError) show the form again with the reason on one line
 * and status 400, never a 500 or a bare error page. Other errors go on to `page()`.
 */
export async function saveOrShowForm(
  c: UiRouteContext,
  req: Request,
  res: Response,
  form: { template: string; data: () => Record<string, unknown> | Promise<Record<string, unknown>> },
  save: () => Promise<string>,
): Promise<void> {
  try {
    res.redirect(303, await save());
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    c.render(req, res, form.template, { ...(await form.data()), error: err.message.split('\n')[0] }, 400);
  }
}

export function withNotice(url: string, notice: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}notice=${notice}`;
}

/**
 * An admin page's delete: the confirm step ("Delete <noun>", danger, back to the list), then
 * `remove()` and the list with `<noun>_deleted` shown.
 */
export async function confirmDeletion(
  c: UiRouteContext,
  req: Request,
  res: Response,
  what: { noun: string; list: string; message: string },
  remove: () => Promise<void>,
): Promise<void> {
  await confirmThenRun(
    c,
    req,
    res,
    { title: `Delete ${what.noun}`, message: what.message, confirmLabel: 'Delete', danger: true, cancelUrl: what.list },
    async () => {
      await remove();
      return withNotice(what.list, `${what.noun}_deleted`);
    },
  );
}
