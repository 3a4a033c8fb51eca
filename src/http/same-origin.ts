import type { Request, RequestHandler } from 'express';
import { sendProblem } from './problem';

/** Methods that change nothing: a cross-site page may cause them without harm. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `https://host:port` of a URL, or null when it is not one (e.g. `null`, a sandboxed frame's origin). */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * Whether `origin` is this server: the host (and port) the request was addressed to — compared
 * without the scheme, so a TLS-terminating proxy that forwards plain http needs no setting — or
 * `webserver.base_url`'s origin.
 */
function isOwnOrigin(req: Request, origin: string, baseUrl: string): boolean {
  const host = req.get('host');
  if (host && new URL(origin).host === host.toLowerCase()) return true;
  return !!baseUrl && originOf(baseUrl) === origin;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Why a state-changing request is refused as cross-site, or null when nothing says it is. */
function crossOriginRefusal(req: Request, baseUrl: string): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const sent = originOf(origin);
    return sent && isOwnOrigin(req, sent, baseUrl)
      ? null
      : `cross-origin request refused: origin '${origin}' is not this server's`;
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request refused (Sec-Fetch-Site: cross-site)';
  return null;
}

/**
 * Cross-site request forgery defence that does not depend on how the caller authenticated: a
 * browser keeps sending cached Basic credentials and cookies to any page's form posts, so
 *
 * - a state-changing request a browser marks as cross-site (`Origin` of another site, `Origin: null`,
 *   or `Sec-Fetch-Site: cross-site`) is refused (403), for the API and the UI's own forms alike —
 *   unless the browser says `Sec-Fetch-Site: same-origin`;
 * - a state-changing API request with a body must be `application/json`, which a cross-site HTML form
 *   cannot send (415), so that even a browser that sends no `Origin` cannot be used.
 *
 * Clients that are not browsers (curl, scripts) send no `Origin` and are unaffected.
 */
export function sameOriginGuard(options: { baseUrl: string; apiPrefix: string }): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    // Sec-Fetch-Site is set by the browser and no page can forge it. The UI's own forms need it:
    // under `Referrer-Policy: no-referrer` Chromium sends them with `Origin: null`.
    if (req.headers['sec-fetch-site'] !== 'same-origin') {
      const refusal = crossOriginRefusal(req, options.baseUrl);
      if (refusal) return sendProblem(res, 403, refusal);
    }
    if (req.path.startsWith(options.apiPrefix) && hasBody(req) && !req.is('application/json'))
      return sendProblem(
        res,
        415,
        `a ${req.method} request to the API must have Content-Type: application/json, got '${
          req.headers['content-type'] ?? 'none'
        }'`,
      );
    next();
  };
}
