import type { Request, RequestHandler } from 'express';
import type { Permission } from '../../core/permissions';
import { currentUser, forbiddenMessage, userCan } from './ui-deps';
import type { UiRouteContext } from './ui-route-context';

const read = (resource: string): Permission => ({ action: 'can_read', resource });

/**
 * The read permission each page (and the JSON its live views poll) needs, first match wins; the
 * actions and admin pages ask for theirs where they are registered (`allow`).
 */
const PAGES: Array<[RegExp, Permission]> = [
  [/^\/ui\/logs(\/|$)/, read('Task Logs')],
  [/^\/dags\/[^/]+\/code$/, read('DAG Code')],
  [/^\/(ui\/)?dags\/[^/]+\/runs\/[^/]+\/tasks\//, read('Task Instances')],
  [/^\/datasets(\/|$)/, read('Datasets')],
  [/^\/$|^\/(ui\/)?dags\//, read('DAGs')],
];

export function pagePermission(path: string): Permission | undefined {
  return PAGES.find(([pattern]) => pattern.test(path))?.[1];
}

/** Refuses (403) a logged-in user's page view their role may not read; anonymous ones go on to the login redirect. */
export function requireReadPermission(c: UiRouteContext): RequestHandler {
  return (req: Request, res, next) => {
    const user = currentUser(req);
    const needed = req.method === 'GET' || req.method === 'HEAD' ? pagePermission(req.path) : undefined;
    if (!user || !needed || userCan(user, needed)) return next();
    const message = forbiddenMessage(user, [needed]);
    if (req.path.startsWith('/ui/')) {
      res.status(403).set('Cache-Control', 'no-store').json({ error: message });
      return;
    }
    c.render(req, res, 'error.njk', { status: 403, message }, 403);
  };
}
