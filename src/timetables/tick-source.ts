/** The instants a periodic schedule fires at; data intervals run from one tick to the next. */
export interface TickSource {
  /** The first tick strictly after `instant`, or null when the schedule never fires again. */
  next(instant: Date): Date | null;
  /** The last tick strictly before `instant`, or null when there is none. */
  prev(instant: Date): Date | null;
}

/** The first tick at or after `instant`. */
export function alignToNext(ticks: TickSource, instant: Date): Date | null {
  return ticks.next(new Date(instant.getTime() - 1));
}

/** The last tick at or before `instant`. */
export function alignToPrev(ticks: TickSource, instant: Date): Date | null {
  return ticks.prev(new Date(instant.getTime() + 1));
}
