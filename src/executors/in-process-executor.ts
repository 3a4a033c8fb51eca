import os from 'node:os';
import type { DataSource } from 'typeorm';
import type { LoadedConfig } from '../config/load-config';
import type { TaskInstanceKey } from '../core/task-instance-key';
import type { Executor, ExecutorEvent, TaskWorkload } from '../core/executor';
import { runTask } from '../runner/run-task';
import { DatabaseVariableSource } from '../runner/variable-source';
import { xcomSettingsFromConfig } from '../runner/xcom/xcom-settings';
import { extraSensitiveWords } from '../core/sensitive-names';
import { prefixLines, taskLinePrefix } from './prefixed-lines';

/**
 * Runs tasks one at a time inside the calling process, for `dagctl dags test` (Airflow's
 * `dags test` does the same): no child processes; with `echo`, each task's log lines are shown
 * on the terminal as they are written, prefixed with the task id (and map index).
 * Never used by the scheduler daemon, which must not run user code.
 */
export class InProcessExecutor implements Executor {
  readonly name = 'in-process';
  private readonly queue: TaskWorkload[] = [];
  private readonly events: ExecutorEvent[] = [];
  private readonly listeners: Array<() => void> = [];
  private current: TaskWorkload | null = null;
  private draining: Promise<void> | null = null;
  // The terminal itself, taken before any try redirects process.stdout into its log.
  private readonly terminal = process.stdout.write.bind(process.stdout);

  constructor(
    private readonly config: LoadedConfig,
    private readonly ds: DataSource,
    private readonly echo: boolean,
  ) {}

  async start(): Promise<void> {}

  queueWorkload(workload: TaskWorkload): void {
    this.queue.push(workload);
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  slotsAvailable(): number {
    return this.current || this.queue.length ? 0 : 1;
  }

  drainEvents(): ExecutorEvent[] {
    return this.events.splice(0);
  }

  onEvent(listener: () => void): void {
    this.listeners.push(listener);
  }

  runningKeys(): Array<{ key: TaskInstanceKey; tryNumber: number }> {
    return this.current ? [{ key: this.current.key, tryNumber: this.current.tryNumber }] : [];
  }

  async end(): Promise<void> {
    await this.draining;
  }

  async terminate(): Promise<void> {
    this.queue.length = 0;
  }

  private emit(event: ExecutorEvent): void {
    this.events.push(event);
    for (const listener of this.listeners) listener();
  }

  private async drain(): Promise<void> {
    // Let the scheduler finish the transaction that queued this task before it starts.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length) {
      const workload = this.queue.shift()!;
      this.current = workload;
      this.emit({
        type: 'started',
        key: workload.key,
        tryNumber: workload.tryNumber,
        at: new Date().toISOString(),
        hostname: os.hostname(),
        pid: process.pid,
      });
      const prefix = taskLinePrefix(workload.key);
      const outcome = await runTask(workload, {
        baseLogFolder: this.config.logging.base_log_folder,
        logMaxBytes: this.config.logging.task_log_max_bytes,
        confOverridesParams: this.config.core.dag_run_conf_overrides_params,
        sensitiveWords: extraSensitiveWords(this.config.core.sensitive_var_conn_names),
        xcom: xcomSettingsFromConfig(this.config),
        // Echo: every log line (task output, ctx.log, dagctl's own lines) as it is written, labelled.
        output: 'redirect',
        onLogText: this.echo ? (text) => this.terminal(prefixLines(text, prefix)) : undefined,
        variables: new DatabaseVariableSource(async () => this.ds),
      });
      this.current = null;
      this.emit({
        type: 'finished',
        key: workload.key,
        tryNumber: workload.tryNumber,
        at: new Date().toISOString(),
        outcome,
      });
    }
  }
}
