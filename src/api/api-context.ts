import type { Request, Response } from 'express';
import type { AppContext } from '../app/app-context';
import type { BuiltInRole } from '../core/permissions';
import type { MicroCache } from './micro-cache';

/** What every API handler gets besides the request: the app and the key for file tokens. */
export interface ApiContext {
  app: AppContext;
  /** Signs `file_token`s so clients can only read DAG sources the server named. */
  secretKey: string;
  /** Serialized responses of hot list endpoints, cleared by every successful API write. */
  listCache: MicroCache;
  /** Forget cached credentials and sessions (after a user was changed or deleted). */
  forgetCredentials?: () => void;
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/**
 * Who may call a route: anyone, or the lowest built-in role that may. What is checked is the
 * permission src/api/access/route-permissions.ts derives for the route, which built-in roles from
 * this one up hold (and custom roles hold when they are given it).
 */
export type RouteAccess = 'public' | BuiltInRole;

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI-style path under /api/v1, e.g. '/dags/{dag_id}'. */
  path: string;
  access: RouteAccess;
  handler(req: Request, res: Response, api: ApiContext): Promise<void> | void;
  /** OpenAPI operation for routes not in Airflow's document (the x-dagctl extras). */
  operation?: Record<string, unknown>;
}

/** A path parameter as a string (express 5 decodes it). */
export function param(req: Request, name: string): string {
  const value = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}
