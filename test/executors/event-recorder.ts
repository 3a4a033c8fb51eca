import type { Executor, ExecutorEvent } from '../../src/core/executor';
import { eventually } from '../helpers/eventually';

/** Collects an executor's events as they are reported and waits for conditions on them. */
export class EventRecorder {
  readonly events: ExecutorEvent[] = [];

  constructor(private readonly executor: Executor) {
    executor.onEvent(() => this.events.push(...executor.drainEvents()));
  }

  /** The first truthy result of `find` over the events so far, polling the executor until then. */
  waitFor<T>(
    find: (events: ExecutorEvent[]) => T | undefined | null | false,
    timeoutMs = 60_000,
    what = 'condition',
  ): Promise<T> {
    return eventually(
      () => {
        this.events.push(...this.executor.drainEvents());
        const found = find(this.events);
        if (!found) throw new Error(`events so far: ${JSON.stringify(this.events)}`);
        return found;
      },
      { what, timeoutMs, intervalMs: 20 },
    );
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
