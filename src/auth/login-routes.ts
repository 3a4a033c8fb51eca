import express, { type Request, type Response, type Router } from 'express';
import type { AppContext } from '../app/app-context';
import { execSql } from '../db/sql';
import { sendProblem } from '../http/problem';
import { safeRedirectTarget } from './safe-redirect';
import { verifyCredentials } from './verify-credentials';
import type { WebAuth } from './web-auth';

export { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit } from './login-failure-limiter';

function wantsJson(req: Request): boolean {
  return !!req.is('application/json');
}

function loginFailed(req: Request, res: Response, status: number, detail: string, error: string): void {
  if (wantsJson(req)) return sendProblem(res, status, detail);
  const target = (req.body as { next?: unknown } | undefined)?.next;
  const next = typeof target === 'string' ? `&next=${encodeURIComponent(safeRedirectTarget(target))}` : '';
  res.redirect(303, `/login?error=${error}${next}`);
}

/**
 * POST /login (HTML form or JSON `{username, password}`) and POST /logout. GET /login is the UI's
 * page. Failed logins are rate limited per (username, client address), with Basic auth's failures
 * (`auth.loginLimiter`); successful ones do not count.
 */
export function createLoginRoutes(ctx: AppContext, auth: WebAuth): Router {
  const router = express.Router();

  router.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    // JSON logins need no CSRF token: a cross-site form cannot send application/json.
    if (!wantsJson(req) && !auth.verifyCsrf(req))
      return loginFailed(req, res, 403, 'missing or invalid CSRF token', 'csrf');
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!username || !password) return loginFailed(req, res, 400, 'username and password are required', 'missing');
    const clientIp = req.ip ?? '';
    const retryAfter = auth.loginLimiter.retryAfterSeconds(username, clientIp);
    if (retryAfter > 0) {
      res.setHeader('Retry-After', String(retryAfter));
      return loginFailed(req, res, 429, `too many failed logins; try again in ${retryAfter} s`, 'rate');
    }
    const user = await verifyCredentials(ctx.dataSource, username, password);
    if (!user) {
      auth.loginLimiter.recordFailure(username, clientIp);
      return loginFailed(req, res, 401, 'invalid username or password', 'invalid');
    }
    const session = await auth.startSession(req, res, user);
    await execSql(ctx.dataSource, 'UPDATE dagctl_user SET last_login = ? WHERE id = ?', [
      ctx.clock.now().toISOString(),
      user.id,
    ]);
    if (wantsJson(req)) {
      res.json({
        username: user.username,
        role: user.role,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt.toISOString(),
      });
      return;
    }
    res.redirect(303, safeRedirectTarget(body.next));
  });

  // The global CSRF guard has already checked the token of a logged-in user.
  router.post('/logout', async (req, res) => {
    await auth.endSession(req, res);
    if (wantsJson(req) || req.accepts(['html', 'json']) === 'json') {
      res.status(204).end();
      return;
    }
    res.redirect(303, '/login');
  });

  return router;
}
