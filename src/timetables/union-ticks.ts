import type { TickSource } from './tick-source';

/** The ticks of several sources merged: the earliest next, the latest previous (one tick if two coincide). */
export class UnionTicks implements TickSource {
  constructor(private readonly sources: readonly TickSource[]) {}

  next(instant: Date): Date | null {
    return pick(
      this.sources.map((s) => s.next(instant)),
      (a, b) => a < b,
    );
  }

  prev(instant: Date): Date | null {
    return pick(
      this.sources.map((s) => s.prev(instant)),
      (a, b) => a > b,
    );
  }
}

function pick(ticks: (Date | null)[], better: (a: number, b: number) => boolean): Date | null {
  let best: Date | null = null;
  for (const tick of ticks) if (tick && (!best || better(tick.getTime(), best.getTime()))) best = tick;
  return best;
}
