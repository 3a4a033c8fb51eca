import type { Request } from 'express';
import type { SerializedDag } from '../../../core/serialized-dag';
import type { DagEntity } from '../../../db/entities';
import { describeSchedule } from '../data/describe-schedule';
import { requireDag } from '../data/load-dag';
import type { UiRouteContext } from '../ui-route-context';
import { noticeOf } from './route-helpers';

export interface DagPageData {
  dag: SerializedDag;
  model: DagEntity | null;
  scheduleWords: string;
  notice: string | null;
  /** Which tab of the DAG header is active. */
  tab: string;
}

/** What the header of every DAG page shows: id, description, schedule, pause state, tabs. */
export async function loadDagPage(c: UiRouteContext, req: Request, tab: string): Promise<DagPageData> {
  const { dag, model } = await requireDag(c.ctx.dataSource, String(req.params.dagId));
  return { dag, model, scheduleWords: describeSchedule(dag.schedule), notice: noticeOf(req), tab };
}

export function queryInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function queryString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
