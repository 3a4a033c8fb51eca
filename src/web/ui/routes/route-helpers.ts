import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError, UserError, errorMessage } from '../../../core/errors';
import { getLogger } from '../../../logging/logger';
import type { Permission } from '../../../core/permissions';
import { currentUser, forbiddenMessage, userCan } from '../ui-deps';
import type { UiRouteContext } from '../ui-route-context';

const log = getLogger('web.ui');

/** Messages shown after an action redirects back; codes keep user text out of the URL. */
export const NOTICES: Record<string, string> = {
  triggered: 'DAG run triggered.',
  paused: 'DAG paused.',
  unpaused: 'DAG unpaused.',
  draining: 'DAG paused with drain: running runs finish, no new run starts.',
  held: 'Task instance held; the scheduler leaves it until it is resumed.',
  resumed: 'Task instance resumed; the scheduler queues it when it is ready.',
  cleared: 'Task instances cleared; the scheduler will run them again.',
  marked: 'State updated.',
  deleted: 'DAG deleted.',
  backfill_paused: 'Backfill paused: no new run of it is created or started until it is unpaused.',
  backfill_unpaused: 'Backfill unpaused; the scheduler goes on creating its runs.',
  backfill_cancelled: 'Backfill cancelled: its queued runs failed; running runs finish.',
  variable_saved: 'Variable saved.',
  variable_deleted: 'Variable deleted.',
  connection_saved: 'Connection saved.',
  connection_deleted: 'Connection deleted.',
  pool_saved: 'Pool saved.',
  pool_deleted: 'Pool deleted.',
  user_saved: 'User saved.',
  user_deleted: 'User deleted.',
};

export function noticeOf(req: Request): string | null {
  const code = typeof req.query.notice === 'string' ? req.query.notice : '';
  return NOTICES[code] ?? null;
}

/**
 * Wrap a page handler: user errors become an error page (404 for unknown DAGs, runs and tasks,
 * 400 for bad input) instead of a JSON problem or a stack trace.
 */
export function page(c: UiRouteContext, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      const status = err instanceof NotFoundError ? 404 : err instanceof UserError ? 400 : 500;
      if (status === 500) log.error(`UI page ${req.method} ${req.path} failed`, { err });
      c.render(
        req,
        res,
        'error.njk',
        { status, message: status === 500 ? 'Internal error; see the web server log.' : errorMessage(err) },
        status,
      );
    }
  };
}

/** A local path to return to after an action; anything else (other hosts, '//x') falls back. */
export function safeNext(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const formBody = express.urlencoded({ extended: false, limit: '1mb' });

function tokensMatch(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Parses the form and refuses (403) a POST without the session's CSRF token in `_csrf`. */
export function csrfProtected(c: UiRouteContext): RequestHandler[] {
  const check = (req: Request, res: Response, next: NextFunction): void => {
    const ok = c.deps.verifyCsrf
      ? c.deps.verifyCsrf(req)
      : tokensMatch(text((req.body as Record<string, unknown> | undefined)?._csrf), c.deps.csrfToken(req));
    if (!ok) {
      c.render(
        req,
        res,
        'error.njk',
        { status: 403, message: 'Missing or invalid CSRF token; reload the page and try again.' },
        403,
      );
      return;
    }
    next();
  };
  return [formBody, check];
}

/**
 * Login, then the permissions (all of them) the page or action needs: without them, the 403
 * page naming what is missing (the API's 403 says the same).
 */
export function allow(c: UiRouteContext, ...permissions: Permission[]): RequestHandler[] {
  const check = (req: Request, res: Response, next: NextFunction): void => {
    const user = currentUser(req);
    const missing = permissions.filter((p) => !userCan(user, p));
    if (missing.length === 0) return next();
    c.render(req, res, 'error.njk', { status: 403, message: forbiddenMessage(user, missing) }, 403);
  };
  return [c.deps.requireLogin, check];
}

export function body(req: Request): Record<string, unknown> {
  return (req.body as Record<string, unknown> | undefined) ?? {};
}

export function dagPath(dagId: string, view = 'grid'): string {
  return `/dags/${encodeURIComponent(dagId)}/${view}`;
}

export function taskInstancePath(dagId: string, runId: string, taskId: string): string {
  return `/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}`;
}

/** Like `page`, for the JSON endpoints the live views poll: errors come back as `{ error }`. */
export function jsonEndpoint(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      const status = err instanceof NotFoundError ? 404 : err instanceof UserError ? 400 : 500;
      if (status === 500) log.error(`UI endpoint ${req.method} ${req.path} failed`, { err });
      res
        .status(status)
        .set('Cache-Control', 'no-store')
        .json({ error: status === 500 ? 'internal error' : errorMessage(err) });
    }
  };
}
