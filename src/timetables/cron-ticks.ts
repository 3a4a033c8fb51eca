import { CronExpression, CronExpressionParser } from 'cron-parser';
import type { TickSource } from './tick-source';
import { offsetAt, resolveWallTime, sameOffset, wallTimeOf } from './zoned-time';

/** Larger than any DST shift (at most 2h anywhere), so scans around a transition see every candidate. */
const SLACK_MS = 3 * 3_600_000;
/** cron-parser takes ~0.2ms per step; scans near a transition revisit the same matches. */
const MEMO_LIMIT = 1024;

/**
 * Cron ticks in a time zone. The expression is matched against wall-clock time (in UTC, where
 * cron-parser has no DST quirks) and each match is mapped to real instants:
 * - a wall time skipped by spring-forward fires when the clock jumps (02:30 → 03:30 DST);
 * - a wall time repeated by fall-back fires once, at its first occurrence — unless the expression
 *   fires every hour, in which case both real hours fire (like Airflow's fold handling).
 * `next` and `prev` agree with each other from any starting instant, which cron-parser's own
 * time zone handling does not guarantee around transitions.
 */
export class CronTicks implements TickSource {
  private readonly wallCron: CronExpression;
  private readonly firesEveryHour: boolean;
  private readonly memo = new Map<string, number | null>();

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    this.wallCron = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(0) });
    this.firesEveryHour = this.wallCron.fields.hour.values.length === 24;
  }

  next(instant: Date): Date | null {
    const afterMs = instant.getTime();
    const wall = wallTimeOf(afterMs, this.timeZone);
    const candidate = this.wallNext(wall);
    if (candidate === null) return null;
    const quick = candidate - offsetAt(afterMs, this.timeZone);
    if (this.noTransitionNear(afterMs, quick)) return new Date(quick);
    const scanned = this.scanNext(afterMs, wall);
    return scanned === null ? null : new Date(scanned);
  }

  prev(instant: Date): Date | null {
    const beforeMs = instant.getTime();
    const wall = wallTimeOf(beforeMs, this.timeZone);
    const candidate = this.wallPrev(wall);
    if (candidate === null) return null;
    const quick = candidate - offsetAt(beforeMs, this.timeZone);
    if (this.noTransitionNear(beforeMs, quick)) return new Date(quick);
    const scanned = this.scanPrev(beforeMs, wall);
    return scanned === null ? null : new Date(scanned);
  }

  private noTransitionNear(a: number, b: number): boolean {
    return sameOffset(this.timeZone, [a - SLACK_MS, a, a + SLACK_MS, b - SLACK_MS, b, b + SLACK_MS]);
  }

  /** Earliest tick after `afterMs`, trying every wall-time match near the transition. */
  private scanNext(afterMs: number, wall: number): number | null {
    let best: number | null = null;
    let cursor = wall - SLACK_MS;
    for (;;) {
      const match = this.wallNext(cursor);
      if (match === null) return best;
      if (best !== null && match > wallTimeOf(best, this.timeZone) + SLACK_MS) return best;
      for (const tick of this.instantsOf(match)) {
        if (tick > afterMs && (best === null || tick < best)) best = tick;
      }
      cursor = match;
    }
  }

  /** Latest tick before `beforeMs`, trying every wall-time match near the transition. */
  private scanPrev(beforeMs: number, wall: number): number | null {
    let best: number | null = null;
    const consider = (match: number): void => {
      for (const tick of this.instantsOf(match)) {
        if (tick < beforeMs && (best === null || tick > best)) best = tick;
      }
    };
    const start = this.wallPrev(wall - SLACK_MS);
    if (start !== null) consider(start);
    let cursor = start ?? wall - SLACK_MS;
    for (;;) {
      const match = this.wallNext(cursor);
      if (match === null || match > wall + SLACK_MS) return best;
      consider(match);
      cursor = match;
    }
  }

  private instantsOf(wallMatch: number): number[] {
    const instants = resolveWallTime(wallMatch, this.timeZone);
    return this.firesEveryHour ? instants : instants.slice(0, 1);
  }

  private wallNext(wallMs: number): number | null {
    return this.wallStep('next', wallMs);
  }

  private wallPrev(wallMs: number): number | null {
    return this.wallStep('prev', wallMs);
  }

  private wallStep(direction: 'next' | 'prev', wallMs: number): number | null {
    const key = `${direction}${wallMs}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let result: number | null;
    try {
      this.wallCron.reset(new Date(wallMs));
      result = (direction === 'next' ? this.wallCron.next() : this.wallCron.prev()).getTime();
    } catch {
      result = null; // no further match (cron-parser gives up after its search limit)
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, result);
    return result;
  }
}
