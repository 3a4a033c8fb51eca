import type { AuthUser } from './auth-user';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `authenticate` when the request carries valid credentials. */
      user?: AuthUser;
      /** Why credentials that were sent were refused (shown in the 401 detail). */
      authError?: string;
    }
  }
}

export {};
