import http from 'node:http';
import type { Response } from 'express';

/** An RFC 7807 problem document, the body of every API error (Airflow's `Error` schema). */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

/** Thrown by handlers to answer with a problem; anything else thrown becomes a 500. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string): HttpProblem => new HttpProblem(400, detail);
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, detail);
export const conflict = (detail: string): HttpProblem => new HttpProblem(409, detail);

export function problemDocument(status: number, detail: string): ProblemDocument {
  return { type: 'about:blank', title: http.STATUS_CODES[status] ?? 'Error', status, detail };
}

export function sendProblem(res: Response, status: number, detail: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify(problemDocument(status, detail)));
}
