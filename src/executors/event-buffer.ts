import type { ExecutorEvent } from '../core/executor';

/**
 * The events an executor reported and the scheduler has not drained yet, plus the listeners that
 * wake the scheduler loop: what every executor's drainEvents/onEvent share.
 */
export class EventBuffer {
  private events: ExecutorEvent[] = [];
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly onListenerError: (err: Error) => void = () => undefined) {}

  /** Buffer events and wake the listeners once (a batch of results is one wake-up). */
  push(...events: ExecutorEvent[]): void {
    if (events.length === 0) return;
    this.events.push(...events);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.onListenerError(err as Error);
      }
    }
  }

  /** Take (and clear) the buffered events. */
  drain(): ExecutorEvent[] {
    const drained = this.events;
    this.events = [];
    return drained;
  }

  onEvent(listener: () => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.events.length;
  }
}
