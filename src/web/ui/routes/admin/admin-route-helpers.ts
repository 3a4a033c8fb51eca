import type { Request, RequestHandler, Response, Router } from 'express';
import { UserError } from '../../../../core/errors';
import type { ServiceContext } from '../../../../services/service-context';
import { field } from '../../data/admin-forms';
import { currentUser } from '../../ui-deps';
import type { UiRouteContext } from '../../ui-route-context';
import { confirmThenRun } from '../confirm-step';
import { body, page } from '../route-helpers';

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

/** One admin page's form save: what it posts, how it is shown again, and the change it makes. */
export interface SaveFormRoute<V> {
  /** The list page: the form posts to it, and it is shown after a save with `<noun>_saved`. */
  list: string;
  noun: string;
  template: string;
  /** The form field naming the row; an edit posts the row's id back as `original_<idField>`. */
  idField: string;
  /** The posted values, given the row's id: the edited row's (an edit never renames) or the new one's. */
  read: (posted: Record<string, unknown>, id: string, isNew: boolean) => V;
  /** The form shown again with the reason, on bad input. */
  formData: (req: Request, values: V, isNew: boolean) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Create or update the row; a UserError shows the form again (see saveOrShowForm). */
  save: (req: Request, values: V, isNew: boolean) => Promise<void>;
}

/**
 * An admin page's save: POST to the list creates a row when the form carries no
 * `original_<idField>`, else edits that row; bad input shows the form again (400), success
 * redirects to the list with `<noun>_saved`.
 */
export function registerSaveRoute<V>(
  router: Router,
  c: UiRouteContext,
  guards: RequestHandler[],
  form: SaveFormRoute<V>,
): void {
  router.post(
    form.list,
    ...guards,
    page(c, async (req, res) => {
      const posted = body(req);
      const original = field(posted, `original_${form.idField}`);
      const isNew = original === '';
      const values = form.read(posted, isNew ? field(posted, form.idField) : original, isNew);
      await saveOrShowForm(
        c,
        req,
        res,
        { template: form.template, data: () => form.formData(req, values, isNew) },
        async () => {
          await form.save(req, values, isNew);
          return withNotice(form.list, `${form.noun}_saved`);
        },
      );
    }),
  );
}
