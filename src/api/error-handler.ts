import type { ErrorRequestHandler, RequestHandler } from 'express';
import { InvalidArgumentError, NotFoundError, UserError } from '../core/errors';
import { getLogger } from '../logging/logger';
import { HttpProblem, sendProblem } from '../http/problem';

const log = getLogger('webserver');

/** The HTTP status for an error thrown by a handler or a service. */
export function statusOf(err: unknown): number {
  if (err instanceof HttpProblem) return err.status;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidArgumentError) return 400;
  if (err instanceof UserError)
    return err.name === 'AlreadyExistsError' || err.name === 'StateConflictError' ? 409 : 400;
  // body-parser errors carry their status (400 bad JSON, 413 too large, 415 bad charset).
  const status =
    (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

function detailOf(err: unknown, status: number): string {
  if (status === 500) return 'internal server error; the server log has the details';
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.parse.failed') return 'the request body is not valid JSON';
  if (type === 'entity.too.large') return 'the request body is too large';
  const message = (err as { message?: unknown } | null)?.message;
  return (typeof message === 'string' && message.split('\n')[0]) || 'bad request';
}

/**
 * Every error becomes RFC 7807 problem JSON; a stack trace never reaches the client. Unexpected
 * errors (500) are logged with their stack on the server.
 */
export const problemErrorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  const status = statusOf(err);
  if (status === 500) log.error(`${req.method} ${req.originalUrl} failed`, { err });
  sendProblem(res, status, detailOf(err, status), err instanceof HttpProblem ? err.headers : {});
};

/** 404 for unknown API routes (instead of express's HTML page). */
export const apiNotFound: RequestHandler = (req, res) => {
  sendProblem(res, 404, `no API route ${req.method} ${req.path}`);
};
