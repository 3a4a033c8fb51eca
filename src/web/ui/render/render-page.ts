import type { Request, Response } from 'express';
import type nunjucks from 'nunjucks';
import { currentUser, userCan, UiDeps } from '../ui-deps';

export type RenderPage = (
  req: Request,
  res: Response,
  template: string,
  data?: Record<string, unknown>,
  status?: number,
) => void;

/** Renders a view with what every page needs: the user, their permissions and the CSRF token. */
export function createPageRenderer(env: nunjucks.Environment, deps: UiDeps): RenderPage {
  return (req, res, template, data = {}, status = 200) => {
    const user = currentUser(req);
    const html = env.render(template, {
      ...data,
      user,
      // Every button and link asks for the permission its action needs: {% if can('can_edit', 'DAGs') %}.
      can: (action: string, resource: string) => userCan(user, { action, resource }),
      csrf: deps.csrfToken(req),
      currentPath: req.originalUrl,
    });
    res.status(status).type('html').send(html);
  };
}
