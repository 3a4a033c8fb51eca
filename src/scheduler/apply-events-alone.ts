import type { DataSource } from 'typeorm';
import { describeTi } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import type { ExecutorEvent } from '../core/executor';
import { getLogger } from '../logging/logger';
import type { DagViewCache } from './dag-view-cache';
import { processExecutorEvents } from './process-executor-events';

const log = getLogger('scheduler');

/**
 * Loops keep failing with these events: save them without the rest of the loop (decisions and
 * queueing follow at the next full pass). While the database does not answer at all, every event
 * is kept for later — an outage must not lose a task's outcome. When it answers, the events go
 * one by one and only an event the database refuses on its own is dropped (logged), so one bad
 * event cannot block all the others forever. Returns the events to keep for a later loop.
 */
export async function applyEventsAlone(
  ds: DataSource,
  views: DagViewCache,
  events: ExecutorEvent[],
): Promise<ExecutorEvent[]> {
  if (!events.length) return [];
  if (!(await databaseAnswers(ds))) return events;
  try {
    await processExecutorEvents(ds, views, events);
    return [];
  } catch {
    // Some event of the batch is refused: find which, one at a time.
  }
  const kept: ExecutorEvent[] = [];
  for (const event of events) {
    try {
      await processExecutorEvents(ds, views, [event]);
    } catch (err) {
      if (!(await databaseAnswers(ds))) {
        kept.push(event);
        continue;
      }
      const what = `the ${event.type} report of ${describeTi(event.key, event.tryNumber)}`;
      log.error(`dropped ${what}: the database refuses it`, { err });
    }
  }
  return kept;
}

async function databaseAnswers(ds: DataSource): Promise<boolean> {
  try {
    await execSql(ds, 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}
