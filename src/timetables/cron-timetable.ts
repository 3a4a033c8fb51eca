import cronstrue from 'cronstrue';
import type { ScheduleSpec } from '../core/serialized-dag';
import { CronTicks } from './cron-ticks';
import { DataIntervalTimetable } from './data-interval-timetable';
import type { TickSource } from './tick-source';

/** Runs on a cron expression evaluated in the DAG's time zone ('0 12 * * *' = noon local). */
export class CronTimetable extends DataIntervalTimetable {
  readonly summary: string;
  private readonly ticks: CronTicks;

  constructor(
    readonly expression: string,
    readonly timezone = 'UTC',
  ) {
    super();
    this.ticks = new CronTicks(expression, timezone);
    this.summary = `${describeCron(expression)}, ${timezone}`;
  }

  protected ticksFor(): TickSource {
    return this.ticks;
  }

  serialize(): ScheduleSpec {
    return { kind: 'cron', expression: this.expression, timezone: this.timezone };
  }
}

function describeCron(expression: string): string {
  try {
    return cronstrue.toString(expression);
  } catch {
    return expression; // cronstrue rejects a few forms cron-parser accepts; the raw text still informs
  }
}
