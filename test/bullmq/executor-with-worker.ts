import type { LoadedConfig } from '../../src/config/load-config';
import { BullMQExecutor, BullMQExecutorOptions } from '../../src/executors/bullmq/bullmq-executor';
import { RunningWorker, startWorker, StartWorkerOptions } from '../../src/executors/bullmq/worker';
import type { Executor, ExecutorEvent, TaskWorkload } from '../../src/core/executor';
import { eventually } from '../helpers/eventually';

/**
 * The bullmq executor plus a worker in the test process, seen as one Executor so the shared
 * conformance suite can drive it: ending it ends the worker first (its tries finish or are
 * killed and reported), then waits for the executor to receive those results.
 */
export class ExecutorWithWorker implements Executor {
  readonly name = 'bullmq';
  readonly executor: BullMQExecutor;
  worker: RunningWorker | null = null;

  constructor(
    private readonly config: LoadedConfig,
    private readonly workerOptions: Partial<StartWorkerOptions> = {},
    executorOptions: BullMQExecutorOptions = { dataSource: null },
  ) {
    this.executor = new BullMQExecutor(config, executorOptions);
  }

  async start(): Promise<void> {
    await this.executor.start();
    this.worker = await startWorker(this.config, {
      queues: ['default'],
      concurrency: this.config.core.parallelism,
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      ...this.workerOptions,
    });
  }

  queueWorkload(workload: TaskWorkload): void {
    this.executor.queueWorkload(workload);
  }

  slotsAvailable(): number {
    return this.executor.slotsAvailable();
  }

  drainEvents(): ExecutorEvent[] {
    return this.executor.drainEvents();
  }

  onEvent(listener: () => void): void {
    this.executor.onEvent(listener);
  }

  killTry(key: TaskWorkload['key'], tryNumber: number, reason: string): boolean {
    return this.executor.killTry(key, tryNumber, reason);
  }

  runningKeys(): Array<{ key: TaskWorkload['key']; tryNumber: number }> {
    return this.executor.runningKeys();
  }

  async end(timeoutMs = 60_000): Promise<void> {
    await this.worker?.close(timeoutMs);
    await this.settle();
    await this.executor.end();
  }

  async terminate(): Promise<void> {
    await this.worker?.close(0);
    await this.settle();
    await this.executor.terminate();
  }

  /** Wait (bounded) until every try sent has reported its end; ending goes on regardless. */
  private async settle(): Promise<void> {
    await eventually(() => this.executor.runningKeys().length === 0, { timeoutMs: 30_000 }).catch(() => undefined);
  }
}
