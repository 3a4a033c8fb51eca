import cronstrue from 'cronstrue';
import type { ScheduleSpec } from '../core/serialized-dag';
import { CronTicks } from './cron-ticks';
import { DataIntervalTimetable } from './data-interval-timetable';
import type { TickSource } from './tick-source';
import { UnionTicks } from './union-ticks';

/** Runs on a cron expression evaluated in the DAG's time zone ('0 12 * * *' = noon local). */
export class CronTimetable extends DataIntervalTimetable {
  readonly summary: string;
  private readonly ticks: TickSource;

  constructor(
    readonly expression: string,
    readonly timezone = 'UTC',
    /** Several expressions: the union of their ticks. */
    readonly expressions: string[] | null = null,
  ) {
    super();
    this.ticks = expressions
      ? new UnionTicks(expressions.map((e) => new CronTicks(e, timezone)))
      : new CronTicks(expression, timezone);
    const words = expressions ? expressions.map(describeCron).join('; ') : describeCron(expression);
    this.summary = `${words}, ${timezone}`;
  }

  protected ticksFor(): TickSource {
    return this.ticks;
  }

  serialize(): ScheduleSpec {
    return this.expressions
      ? { kind: 'cron', expression: this.expression, timezone: this.timezone, expressions: this.expressions }
      : { kind: 'cron', expression: this.expression, timezone: this.timezone };
  }
}

function describeCron(expression: string): string {
  try {
    return cronstrue.toString(expression);
  } catch {
    return expression; // cronstrue rejects a few forms cron-parser accepts; the raw text still informs
  }
}
