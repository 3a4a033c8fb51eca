import fs from 'node:fs';
import path from 'node:path';
import express, { type Application, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppContext } from '../app/app-context';
import { createApiRouter } from '../api/api-router';
import { problemErrorHandler } from '../api/error-handler';
import { checkHealth } from '../api/health-check';
import { rejectDeepJson, rejectNulBytes } from '../http/hostile-input';
import { sendProblem } from '../http/problem';
import { sameOriginGuard } from '../http/same-origin';
import { parseTrustedProxies } from '../http/trusted-proxies';
import { createLoginRoutes } from '../auth/login-routes';
import { WebAuth, type WebAuthOptions } from '../auth/web-auth';
import { createDbMetricsRegistry } from '../metrics/db-metrics';
import { httpMetricsMiddleware } from '../metrics/http-metrics';
import { metricsHandler } from '../metrics/metrics-route';

export interface WebAppOptions extends WebAuthOptions {
  /** Mount the UI pages (default true when src/web/ui is present). */
  ui?: boolean;
  /**
   * Express `trust proxy` (overrides `webserver.trusted_proxies`): which peers' `X-Forwarded-For`
   * and `X-Forwarded-Proto` are believed.
   */
  trustProxy?: boolean | number | string;
  /** Largest JSON body accepted (default '1mb'). */
  jsonLimit?: string;
}

/** What `mountUi` receives: matches `UiDeps` in src/web/ui/ui-deps.ts. */
export interface WebUiDeps {
  ctx: AppContext;
  requireLogin: RequestHandler;
  csrfToken(req: express.Request): string;
  verifyCsrf(req: express.Request): boolean;
  forgetCredentials(): void;
}

/** The auth layer of an app made by createWebApp (e.g. `webAuthOf(app).clearCaches()` after a user change). */
export function webAuthOf(app: Application): WebAuth {
  return app.locals.auth as WebAuth;
}

/**
 * Helmet's headers with a CSP that allows only the server's own scripts, styles and images: the
 * UI uses no CDN. Inline style attributes are allowed (charts size bars with them); inline
 * scripts are not.
 */
function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Browsers ignore HSTS over plain http; keep it off so a localhost http server stays usable.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}

type MountUi = (app: Application, deps: WebUiDeps) => void;

/** The UI module if it is present (it is built by another part of the project). */
function loadMountUi(): MountUi | null {
  const candidates = ['index.ts', 'index.js'].map((file) => path.join(__dirname, 'ui', file));
  if (!candidates.some((file) => fs.existsSync(file))) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('./ui/index') as { mountUi?: MountUi };
  return typeof mod.mountUi === 'function' ? mod.mountUi : null;
}

/**
 * The whole web server as an express app: security headers, /health, login/logout, the REST API
 * under /api/v1, /metrics and the UI. Every route but /health, /api/v1/health and the login page
 * requires authentication; errors are RFC 7807 problem JSON without stack traces.
 */
export function createWebApp(ctx: AppContext, options: WebAppOptions = {}): Application {
  const app = express();
  // API responses are dynamic and often large: hashing each for an ETag costs more than it saves.
  app.set('etag', false);
  const auth = new WebAuth(ctx, options);
  app.locals.auth = auth;
  app.disable('x-powered-by');
  // The client address (login rate limits) comes from X-Forwarded-For only via a trusted proxy.
  const trustedProxies = parseTrustedProxies(ctx.config.webserver.trusted_proxies);
  app.set('trust proxy', options.trustProxy ?? (trustedProxies.length > 0 ? trustedProxies : false));

  const metricsRegistry = createDbMetricsRegistry(ctx);
  app.use(securityHeaders());
  app.use(httpMetricsMiddleware(app, metricsRegistry));

  app.get('/health', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await checkHealth(ctx));
  });

  // Before the body is parsed or credentials checked: a forged request costs nothing and changes nothing.
  app.use(sameOriginGuard({ baseUrl: ctx.config.webserver.base_url ?? '', apiPrefix: '/api/' }));
  app.use(express.json({ limit: options.jsonLimit ?? '1mb', verify: rejectDeepJson() }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(rejectNulBytes);
  app.use(auth.authenticate);
  app.use(auth.csrfProtection);
  app.use(createLoginRoutes(ctx, auth));

  app.get('/metrics', auth.requireAuth, metricsHandler(metricsRegistry, ctx.dataSource));
  app.use('/api/v1', createApiRouter({ app: ctx, secretKey: auth.secretKey }, auth));

  const mountUi = options.ui === false ? null : loadMountUi();
  if (mountUi) {
    mountUi(app, {
      ctx,
      requireLogin: auth.requireLogin,
      csrfToken: (req) => auth.csrfToken(req),
      verifyCsrf: (req) => auth.verifyCsrf(req),
      forgetCredentials: () => auth.clearCaches(),
    });
  } else {
    app.get('/', auth.requireLogin, (_req, res) => res.redirect(303, '/api/v1/openapi.json'));
  }

  app.use((req, res) => sendProblem(res, 404, `no route ${req.method} ${req.path}`));
  app.use(problemErrorHandler);
  return app;
}
