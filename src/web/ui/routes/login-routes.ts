import type { Router } from 'express';
import type { UiRouteContext } from '../ui-route-context';
import { safeNext } from './route-helpers';

const LOGIN_ERRORS: Record<string, string> = {
  invalid: 'Invalid username or password.',
  expired: 'Your session expired; please sign in again.',
  rate: 'Too many failed attempts; wait a few minutes and try again.',
  csrf: 'The form expired; please try again.',
  missing: 'Enter a username and a password.',
};

/** The login form; the auth layer handles `POST /login` and `/logout`. */
export function registerLoginRoutes(router: Router, c: UiRouteContext): void {
  router.get('/login', (req, res) => {
    const code = typeof req.query.error === 'string' ? req.query.error : '';
    c.render(req, res, 'login.njk', {
      error: code ? (LOGIN_ERRORS[code] ?? LOGIN_ERRORS.invalid) : null,
      next: safeNext(req.query.next, '/'),
    });
  });
}
