import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../app/app-context';
import { HttpProblem, sendProblem } from '../http/problem';
import { findApiTokenUser, touchApiToken } from './api-tokens';
import { permissionName, type Permission } from '../core/permissions';
import { permissionsOfRole } from '../services/roles';
import { userCan, type AuthMethod, type AuthUser } from './auth-user';
import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  cookieOptions,
  readCookie,
  signValue,
  unsignValue,
  type CookiePolicy,
} from './cookies';
import { randomToken, safeEqual, sha256Hex } from './crypto-helpers';
import './express-request';
import { resolveSecretKey } from './secret-key';
import { SessionStore, type ActiveSession } from './session-store';
import { DEFAULT_LOGIN_RATE_LIMIT, LoginFailureLimiter, type LoginRateLimit } from './login-failure-limiter';
import { SingleFlight } from '../core/single-flight';
import { checkPassword } from './password-hash';
import { TtlCache } from './ttl-cache';
import { findLoginUser, type VerifiedUser } from './verify-credentials';

export interface WebAuthOptions {
  /** Overrides `webserver.secret_key` and the key file (tests). */
  secretKey?: string;
  /**
   * How long a password that passed bcrypt is remembered (default 60 s). The user row is still read
   * on every request, so a deleted user, a new role or a new password counts at once.
   */
  credentialCacheMs?: number;
  /** How long a token lookup is cached per process (default 0: a user change counts at once). */
  tokenCacheMs?: number;
  /** How long a session lookup is cached per process (default 0: a user change counts at once). */
  sessionCacheMs?: number;
  /** Failed logins (form and Basic auth) allowed per (username, client address) and window. */
  loginRateLimit?: LoginRateLimit;
}

/** Methods that change nothing and so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/**
 * Everything the web server needs to know who is asking: session cookies for the UI, Basic auth
 * and bearer tokens for API clients, role checks, and CSRF protection for cookie sessions.
 */
export class WebAuth {
  readonly secretKey: string;
  readonly sessions: SessionStore;
  readonly cookiePolicy: CookiePolicy;
  readonly sessionLifetimeMs: number;
  /**
   * sha256(username NUL password) → the password hash it was verified against: spares a bcrypt
   * check on every API call while the stored hash stays the same.
   */
  private readonly basicCache: TtlCache<string>;
  /** Failed logins per (username, client address), for the login form and Basic auth alike. */
  readonly loginLimiter: LoginFailureLimiter;
  private readonly tokenCache: TtlCache<VerifiedUser & { tokenId: number }>;
  private readonly tokenTouched = new Map<number, number>();
  private readonly passwordChecks = new SingleFlight<string, boolean>();

  constructor(
    private readonly ctx: AppContext,
    options: WebAuthOptions = {},
  ) {
    this.secretKey = options.secretKey ?? resolveSecretKey(ctx.config);
    this.sessions = new SessionStore(ctx.dataSource, options.sessionCacheMs ?? 0);
    this.cookiePolicy = { forceSecure: /^https:/i.test(ctx.config.webserver.base_url ?? '') };
    this.sessionLifetimeMs = ctx.config.webserver.session_lifetime;
    this.basicCache = new TtlCache(options.credentialCacheMs ?? 60_000);
    this.tokenCache = new TtlCache(options.tokenCacheMs ?? 0);
    this.loginLimiter = new LoginFailureLimiter(options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT, () =>
      ctx.clock.now().getTime(),
    );
  }

  /** Forget cached credentials and sessions (after a password change, user deletion, role change). */
  clearCaches(): void {
    this.basicCache.clear();
    this.tokenCache.clear();
    this.sessions.clearCache();
  }

  /**
   * Sets `req.user` from the Authorization header (Basic or Bearer) or else the session cookie.
   * Never refuses by itself: the guards below do. Credentials that were sent but are wrong leave
   * `req.authError` set and are not silently replaced by the cookie.
   */
  readonly authenticate: RequestHandler = async (req, _res, next) => {
    try {
      const header = req.headers.authorization;
      if (header) await this.authenticateHeader(req, header);
      else await this.authenticateSession(req);
      await this.attachPermissions(req);
      next();
    } catch (err) {
      next(err);
    }
  };

  private async authenticateHeader(req: Request, header: string): Promise<void> {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        req.authError = 'malformed Basic credentials';
        return;
      }
      const username = decoded.slice(0, colon);
      // The client address (proxy-aware, so not free) matters only once some login has failed.
      const retryAfter = this.loginLimiter.hasFailures()
        ? this.loginLimiter.retryAfterSeconds(username, req.ip ?? '')
        : 0;
      if (retryAfter > 0)
        throw new HttpProblem(
          429,
          `too many failed logins for user '${username.slice(0, 100)}' from this address; try again in ${retryAfter} s`,
          { 'Retry-After': String(retryAfter) },
        );
      const user = await this.checkBasic(username, decoded.slice(colon + 1));
      if (user) this.identify(req, user, 'basic');
      else {
        this.loginLimiter.recordFailure(username, req.ip ?? '');
        req.authError = 'invalid username or password';
      }
      return;
    }
    if (scheme === 'bearer') {
      const user = await this.checkToken(value);
      if (user) this.identify(req, user, 'token');
      else req.authError = 'invalid or expired API token';
      return;
    }
    req.authError = `unsupported authorization scheme '${scheme}'`;
  }

  /** Who the request is from; `attachPermissions` then reads what their role allows. */
  private identify(req: Request, user: VerifiedUser, authMethod: AuthMethod): void {
    req.user = { id: user.id, username: user.username, role: user.role, authMethod, permissions: new Set() };
  }

  /**
   * Reads the permissions of the user's role for this request, uncached: a change of a custom role
   * or of the user's role counts at once, whatever the caches hold (built-in roles cost no query).
   * A user whose role no longer exists is treated as not logged in.
   */
  private async attachPermissions(req: Request): Promise<void> {
    const user = req.user;
    if (!user) return;
    const permissions = await permissionsOfRole(this.ctx.dataSource, user.role);
    if (permissions) {
      user.permissions = permissions;
      return;
    }
    req.user = undefined;
    req.authError = `user '${user.username}' holds role '${user.role}', which does not exist`;
  }

  /** The user row is read on every call: only the bcrypt result is cached, keyed by the stored hash. */
  private async checkBasic(username: string, password: string): Promise<VerifiedUser | null> {
    // PostgreSQL refuses NUL in text: such a name can be no user's, so it is not looked up.
    const user = username && !username.includes('\0') ? await findLoginUser(this.ctx.dataSource, username) : null;
    const key = sha256Hex(`${username}\0${password}`);
    if (user && this.basicCache.get(key) === user.passwordHash) return user.verified;
    if (!(await this.checkPasswordOnce(key, password, user?.passwordHash ?? null)) || !user) return null;
    this.basicCache.set(key, user.passwordHash);
    return user.verified;
  }

  /**
   * One bcrypt check per (credentials, stored hash) at a time: a client opening 50 connections at
   * once with the same credentials would otherwise pay 50 checks (~100 ms of CPU each) before
   * the first one fills the cache.
   */
  private checkPasswordOnce(key: string, password: string, hash: string | null): Promise<boolean> {
    return this.passwordChecks.run(`${key}\0${hash ?? ''}`, () => checkPassword(password, hash));
  }

  private async checkToken(token: string): Promise<(VerifiedUser & { tokenId: number }) | null> {
    const key = sha256Hex(token);
    const now = this.ctx.clock.now();
    let user = this.tokenCache.get(key) ?? null;
    if (!user) {
      user = await findApiTokenUser(this.ctx.dataSource, token, now);
      if (user) this.tokenCache.set(key, user);
    }
    if (user && (this.tokenTouched.get(user.tokenId) ?? 0) + TOKEN_TOUCH_INTERVAL_MS < now.getTime()) {
      // last_used_at is informative; write it at most once a minute per token.
      this.tokenTouched.set(user.tokenId, now.getTime());
      await touchApiToken(this.ctx.dataSource, user.tokenId, now);
    }
    return user;
  }

  private async authenticateSession(req: Request): Promise<void> {
    const session = await this.sessionOf(req);
    if (!session) return;
    this.identify(req, session.user, 'session');
    const res = req.res;
    if (!res) return;
    res.locals.csrfToken = session.csrfToken;
    res.locals.sessionCsrfToken = session.csrfToken;
    // Keep the script-readable CSRF cookie in step with the session (e.g. if it was deleted).
    if (readCookie(req, CSRF_COOKIE) !== session.csrfToken) {
      const remainingMs = Math.max(0, session.expiresAt.getTime() - this.ctx.clock.now().getTime());
      res.cookie(CSRF_COOKIE, session.csrfToken, cookieOptions(req, this.cookiePolicy, false, remainingMs));
    }
  }

  /** The live session named by the request's cookie, if any. */
  async sessionOf(req: Request): Promise<ActiveSession | null> {
    const raw = readCookie(req, SESSION_COOKIE);
    const secret = raw ? unsignValue(this.secretKey, raw) : null;
    if (!secret) return null;
    return this.sessions.find(secret, this.ctx.clock.now());
  }

  /** Log in: create a session and set its cookie plus a fresh CSRF cookie. */
  async startSession(req: Request, res: Response, user: VerifiedUser): Promise<ActiveSession> {
    const { secret, session } = await this.sessions.create(user, this.sessionLifetimeMs, this.ctx.clock.now());
    res.cookie(
      SESSION_COOKIE,
      signValue(this.secretKey, secret),
      cookieOptions(req, this.cookiePolicy, true, this.sessionLifetimeMs),
    );
    res.cookie(CSRF_COOKIE, session.csrfToken, cookieOptions(req, this.cookiePolicy, false, this.sessionLifetimeMs));
    res.locals.csrfToken = session.csrfToken;
    res.locals.sessionCsrfToken = session.csrfToken;
    return session;
  }

  async endSession(req: Request, res: Response): Promise<void> {
    const raw = readCookie(req, SESSION_COOKIE);
    const secret = raw ? unsignValue(this.secretKey, raw) : null;
    if (secret) await this.sessions.destroy(secret);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req, this.cookiePolicy, true));
    res.clearCookie(CSRF_COOKIE, cookieOptions(req, this.cookiePolicy, false));
  }

  /**
   * The CSRF token this request's forms must post back (`_csrf` field or `X-CSRF-Token` header).
   * Logged in: the session's token. Anonymous (the login form): a random token in a cookie,
   * created on first use — the classic double submit.
   */
  csrfToken(req: Request): string {
    const res = req.res;
    if (res?.locals.csrfToken) return res.locals.csrfToken as string;
    let token = readCookie(req, CSRF_COOKIE);
    if (!token || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) {
      token = randomToken(24);
      if (res && !res.headersSent) res.cookie(CSRF_COOKIE, token, cookieOptions(req, this.cookiePolicy, false));
    }
    if (res) res.locals.csrfToken = token;
    return token;
  }

  /** Whether a state-changing request carries the right CSRF token. */
  verifyCsrf(req: Request): boolean {
    const sent = submittedCsrfToken(req);
    if (!sent) return false;
    const expected = (req.res?.locals.sessionCsrfToken as string | undefined) ?? readCookie(req, CSRF_COOKIE);
    return !!expected && safeEqual(sent, expected);
  }

  /**
   * Refuses cookie-authenticated state changes without the CSRF token. Basic and token auth are
   * exempt: a cross-site page cannot make a browser send those headers.
   */
  readonly csrfProtection: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization) return next();
    if (req.user?.authMethod !== 'session' && !readCookie(req, SESSION_COOKIE)) return next();
    if (this.verifyCsrf(req)) return next();
    sendProblem(res, 403, 'missing or invalid CSRF token: send the _csrf form field or the X-CSRF-Token header');
  };

  /** API guard: 401 problem JSON without valid credentials. */
  readonly requireAuth: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    const challenge: Record<string, string> =
      req.headers.cookie && !req.headers.authorization
        ? {}
        : { 'WWW-Authenticate': 'Basic realm="dagctl", charset="UTF-8"' };
    sendProblem(
      res,
      401,
      req.authError ?? 'authentication required: log in, or send Basic credentials or an API token',
      challenge,
    );
  };

  /** UI guard: anonymous page views are redirected to /login?next=…; other requests get 401. */
  readonly requireLogin: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    if ((req.method === 'GET' || req.method === 'HEAD') && req.accepts(['html', 'json']) === 'html') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    this.requireAuth(req, res, next);
  };

  /**
   * Refuses (403, naming what is missing) users whose role lacks any of `permissions` (all are
   * required); 401 when nobody is logged in. No permission given: any logged-in user.
   */
  requirePermission(...permissions: Permission[]): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (!req.user) return this.requireAuth(req, res, next);
      const missing = permissions.filter((p) => !userCan(req.user, p));
      if (missing.length === 0) return next();
      sendProblem(res, 403, forbiddenDetail(req.user, missing));
    };
  }
}

/** The 403 detail: who, their role, and the permission(s) they lack. */
export function forbiddenDetail(user: { username: string; role: string }, missing: readonly Permission[]): string {
  const names = missing.map((p) => `'${permissionName(p)}'`).join(' and ');
  return `user '${user.username}' (role ${user.role}) may not do this: permission ${names} is required`;
}

export function submittedCsrfToken(req: Request): string | null {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body._csrf : undefined;
  return typeof field === 'string' && field ? field : null;
}

export type { AuthUser };
