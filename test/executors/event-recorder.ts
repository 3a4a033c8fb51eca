import type { Executor, ExecutorEvent } from '../../src/core/executor';

/** Collects an executor's events as they are reported and waits for conditions on them. */
export class EventRecorder {
  readonly events: ExecutorEvent[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly executor: Executor) {
    executor.onEvent(() => {
      this.events.push(...executor.drainEvents());
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async waitFor<T>(
    find: (events: ExecutorEvent[]) => T | undefined | null | false,
    timeoutMs = 60_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.events.push(...this.executor.drainEvents());
      const found = find(this.events);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events)}`);
      // Woken by onEvent; the timer is only a safety net for executors that report late.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The final event (finished or lost) of a task id. */
  endOf(taskId: string, runId?: string): Promise<Extract<ExecutorEvent, { type: 'finished' | 'lost' }>> {
    return this.waitFor(
      (events) =>
        events.find(
          (e): e is Extract<ExecutorEvent, { type: 'finished' | 'lost' }> =>
            (e.type === 'finished' || e.type === 'lost') &&
            e.key.taskId === taskId &&
            (!runId || e.key.runId === runId),
        ),
      90_000,
      `the end of ${taskId}${runId ? ` (${runId})` : ''}`,
    );
  }

  startOf(taskId: string, runId?: string): Promise<Extract<ExecutorEvent, { type: 'started' }>> {
    return this.waitFor(
      (events) =>
        events.find(
          (e): e is Extract<ExecutorEvent, { type: 'started' }> =>
            e.type === 'started' && e.key.taskId === taskId && (!runId || e.key.runId === runId),
        ),
      90_000,
      `the start of ${taskId}${runId ? ` (${runId})` : ''}`,
    );
  }
}
