import fs from 'node:fs';
import path from 'node:path';
import { LoadedConfig, loadConfig } from '../../src/config/load-config';
import type { Executor, TaskWorkload } from '../../src/core/executor';
import { taskLogPath } from '../../src/logging/task-log-path';
import { isProcessAlive, isProcessRunning } from '../../src/core/process-table';
import { eventually } from '../helpers/eventually';
import { makeTempHome, makeWorkload } from '../runner/fixtures';
import { EventRecorder } from './event-recorder';
import { EXECUTOR_TEST_DAG } from './executor-test-dag';

export interface ExecutorFactoryOptions {
  /** A temporary DAGCTL_HOME's config: core.parallelism and local.max_tasks_per_child set per test. */
  config: LoadedConfig;
  /** Grace between a try's execution timeout and killing its process from outside. */
  killGraceMs: number;
}

export interface ExecutorTraits {
  /** Runs one try at a time whatever core.parallelism says. */
  sequential?: boolean;
  /** Reuses task processes across tries (warm pool), recycling them after local.max_tasks_per_child. */
  reusesProcesses: boolean;
  /** Attempt logs are written under the config's logging.base_log_folder by the time events arrive. */
  writesLocalLogs?: boolean;
  /** Implements killTry (stops one try with its whole process tree). */
  stopsTries?: boolean;
  /** Implements claimTriesWith (a try runs only once its claim is granted). */
  claimsTries?: boolean;
}

/**
 * A test of an optional trait is defined only for executors that have it (an executor without it
 * is not reported as having a skipped test: there is nothing of it to run).
 */
function itIf(trait: boolean | undefined): jest.It | ((name: string, fn: () => Promise<void>) => void) {
  return trait ? it : () => undefined;
}

export type ExecutorFactory = (options: ExecutorFactoryOptions) => Executor | Promise<Executor>;

/**
 * The behaviour every executor must show, run against real task processes and real DAG files:
 * `describeExecutor('local (warm)', (o) => LocalExecutor.fromConfig(o.config, …), { reusesProcesses: true })`.
 */
export function describeExecutor(name: string, factory: ExecutorFactory, traits: ExecutorTraits): void {
  describe(`executor conformance: ${name}`, () => {
    jest.setTimeout(180_000);
    const env = makeTempHome('dagctl-executor-');
    const dagFile = path.join(env.dags, 'executor_conformance.ts');
    fs.writeFileSync(dagFile, EXECUTOR_TEST_DAG);
    const running: Executor[] = [];
    let runCounter = 0;

    afterAll(() => env.remove());
    afterEach(async () => {
      for (const executor of running.splice(0)) await executor.terminate();
    });

    async function start(
      overrides: { parallelism?: number; maxTasksPerChild?: number; killGraceMs?: number } = {},
    ): Promise<{ executor: Executor; recorder: EventRecorder }> {
      const config = loadConfig(
        {
          DAGCTL_HOME: env.home,
          DAGCTL__CORE__PARALLELISM: String(overrides.parallelism ?? 4),
          DAGCTL__LOCAL__MAX_TASKS_PER_CHILD: String(overrides.maxTasksPerChild ?? 100),
          DAGCTL__DATABASE__URL: `sqlite:///${path.join(env.home, 'unused.db')}`,
        },
        env.home,
      );
      const executor = await factory({ config, killGraceMs: overrides.killGraceMs ?? 1000 });
      running.push(executor);
      const recorder = new EventRecorder(executor);
      await executor.start();
      return { executor, recorder };
    }

    function workload(taskId: string, overrides: Partial<TaskWorkload> = {}): TaskWorkload {
      runCounter += 1;
      const base = makeWorkload(dagFile, 'executor_conformance', taskId, overrides);
      return { ...base, key: { ...base.key, runId: `conformance_${runCounter}` } };
    }

    it('runs a try and reports started then finished, with the XCom and the attempt log', async () => {
      const { executor, recorder } = await start();
      const w = workload('ok', { conf: { value: 'v' }, tryNumber: 2, maxTries: 2 });
      executor.queueWorkload(w);
      expect(executor.runningKeys()).toEqual([{ key: w.key, tryNumber: 2 }]);
      const end = await recorder.endOf('ok', w.key.runId);
      const started = await recorder.startOf('ok', w.key.runId);
      expect(recorder.events.indexOf(started)).toBeLessThan(recorder.events.indexOf(end));
      expect(started).toMatchObject({
        key: w.key,
        tryNumber: 2,
        hostname: expect.any(String),
        pid: expect.any(Number),
      });
      expect(end.type).toBe('finished');
      if (end.type !== 'finished') return;
      expect(end.outcome.state).toBe('success');
      expect(end.outcome.xcoms?.return_value).toEqual({ pid: started.pid, value: 'v' });
      await eventually(() => executor.runningKeys().length === 0, { what: 'nothing runs', timeoutMs: 10_000 });
      if (traits.writesLocalLogs) {
        const log = fs.readFileSync(taskLogPath(env.logs, w.key, 2), 'utf8');
        expect(log).toContain('Starting attempt 2 of 3');
        expect(log).toContain('running ok');
      }
    });

    it('reports a failing try as finished with state failed and its reason', async () => {
      const { executor, recorder } = await start();
      executor.queueWorkload(workload('fail'));
      const end = await recorder.endOf('fail');
      expect(end).toMatchObject({ type: 'finished', outcome: { state: 'failed', reason: 'planned failure' } });
    });

    it('never runs more tries at once than its parallelism', async () => {
      const parallelism = 2;
      const { executor, recorder } = await start({ parallelism });
      const limit = traits.sequential ? 1 : parallelism;
      const dir = fs.mkdtempSync(path.join(env.home, 'peers-'));
      const conf = { dir, expect: limit, wait: limit > 1 ? 60 : 1 };
      const workloads = [1, 2, 3, 4].map(() => workload('peer', { conf }));
      expect(executor.slotsAvailable()).toBe(limit);
      for (const w of workloads) executor.queueWorkload(w);
      expect(executor.slotsAvailable()).toBe(0);
      const seen: number[] = [];
      for (const w of workloads) {
        const end = await recorder.endOf('peer', w.key.runId);
        expect(end).toMatchObject({ type: 'finished', outcome: { state: 'success' } });
        if (end.type === 'finished') seen.push(Number(end.outcome.xcoms?.return_value));
      }
      // Each try counted the tries running beside it: never above the limit, and (for parallel
      // executors) the first ones did meet a peer.
      expect(Math.max(...seen)).toBe(limit);
      expect(executor.slotsAvailable()).toBe(limit);
    });

    it('kills a try that overruns its execution timeout, with its subprocesses', async () => {
      const { executor, recorder } = await start({ killGraceMs: 500 });
      const pidFile = path.join(env.home, `spin-${Date.now()}.pid`);
      // 5 s, not 1: the parent's kill timer also covers the child importing the DAG file, which
      // takes over a second on a loaded machine (the subprocess would not have been started yet).
      const w = workload('spin', { executionTimeoutMs: 5000, conf: { pidFile } });
      executor.queueWorkload(w);
      const started = await recorder.startOf('spin', w.key.runId);
      const end = await recorder.endOf('spin', w.key.runId);
      expect(end).toMatchObject({
        type: 'finished',
        outcome: { state: 'failed', reason: 'execution timeout after 5s (process killed)' },
      });
      await eventually(() => !isProcessAlive(started.pid as number), {
        what: `task process ${started.pid} is gone`,
        timeoutMs: 10_000,
      });
      if (traits.writesLocalLogs)
        expect(fs.readFileSync(taskLogPath(env.logs, w.key, 1), 'utf8')).toMatch(
          /ERROR - Task finished: failed - execution timeout after 5s \(process killed\)\n$/,
        );
      const subprocess = Number(fs.readFileSync(pidFile, 'utf8'));
      await eventually(() => !isProcessAlive(subprocess), {
        what: `subprocess ${subprocess} is gone`,
        timeoutMs: 10_000,
      });
    });

    itIf(traits.stopsTries)('stops a try on request: its whole process tree, the reason in its log', async () => {
      const { executor, recorder } = await start({ killGraceMs: 500 });
      const pidFile = path.join(env.home, `tree-${Date.now()}.pid`);
      const w = workload('tree', { conf: { pidFile } });
      executor.queueWorkload(w);
      const started = await recorder.startOf('tree', w.key.runId);
      await eventually(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', {
        what: 'the bash task started its child',
        timeoutMs: 30_000,
      });
      const child = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(isProcessAlive(child)).toBe(true);
      expect(executor.killTry?.(w.key, w.tryNumber, 'marked failed by admin')).toBe(true);
      const end = await recorder.endOf('tree', w.key.runId);
      expect(end).toMatchObject({ type: 'finished', outcome: { state: 'failed' } });
      if (end.type === 'finished') expect(end.outcome.reason).toContain('marked failed by admin');
      // The end is reported only once every process of the try is gone.
      expect(isProcessRunning(child)).toBe(false);
      await eventually(() => !isProcessAlive(started.pid as number), {
        what: `task process ${started.pid} is gone`,
        timeoutMs: 10_000,
      });
      if (traits.writesLocalLogs)
        expect(fs.readFileSync(taskLogPath(env.logs, w.key, 1), 'utf8')).toMatch(
          /WARNING - Stopping this try \(by [^)]+\): marked failed by admin; SIGTERM/,
        );
      expect(executor.killTry?.(w.key, w.tryNumber, 'again')).toBe(false);
    });

    it('reports a try whose process dies as lost', async () => {
      const { executor, recorder } = await start();
      const exit = workload('exit');
      const killed = workload('sigkill');
      executor.queueWorkload(exit);
      executor.queueWorkload(killed);
      const exitEnd = await recorder.endOf('exit', exit.key.runId);
      const killedEnd = await recorder.endOf('sigkill', killed.key.runId);
      expect(exitEnd).toMatchObject({ type: 'lost', reason: expect.stringMatching(/code 3/) });
      expect(killedEnd).toMatchObject({ type: 'lost', reason: expect.stringMatching(/SIGKILL/) });
      if (traits.writesLocalLogs)
        expect(fs.readFileSync(taskLogPath(env.logs, exit.key, 1), 'utf8')).toMatch(
          /ERROR - task process lost: .*code 3\n$/,
        );
      // The executor keeps working afterwards.
      const after = workload('ok');
      executor.queueWorkload(after);
      expect(await recorder.endOf('ok', after.key.runId)).toMatchObject({
        type: 'finished',
        outcome: { state: 'success' },
      });
    });

    it(
      traits.reusesProcesses
        ? 'reuses a warm process across tries and recycles it after max_tasks_per_child'
        : 'runs every try in a fresh process',
      async () => {
        const { executor, recorder } = await start({ parallelism: 1, maxTasksPerChild: 2 });
        const pids: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const w = workload('ok');
          executor.queueWorkload(w);
          const end = await recorder.endOf('ok', w.key.runId);
          expect(end.type).toBe('finished');
          pids.push((await recorder.startOf('ok', w.key.runId)).pid as number);
        }
        if (traits.reusesProcesses) {
          expect(pids[1]).toBe(pids[0]);
          expect(pids[2]).not.toBe(pids[0]);
          await eventually(() => !isProcessAlive(pids[0]), {
            what: `recycled process ${pids[0]} is gone`,
            timeoutMs: 10_000,
          });
        } else {
          expect(new Set(pids).size).toBe(3);
        }
      },
    );

    it('end() waits for running tries to finish', async () => {
      const { executor, recorder } = await start();
      const w = workload('sleep', { conf: { seconds: 1 } });
      executor.queueWorkload(w);
      await recorder.startOf('sleep', w.key.runId);
      await executor.end(60_000);
      const end = await recorder.endOf('sleep', w.key.runId);
      expect(end).toMatchObject({ type: 'finished', outcome: { state: 'success', xcoms: { return_value: 'slept' } } });
      expect(executor.runningKeys()).toEqual([]);
      expect(executor.slotsAvailable()).toBe(0);
    });

    itIf(traits.claimsTries)(
      'runs a try only when its claim is granted: a refused try never runs its command and reports nothing',
      async () => {
        const { executor, recorder } = await start();
        const asked: Array<{ taskId: string; tryNumber: number; pid: number | null }> = [];
        executor.claimTriesWith!(async (request) => {
          asked.push({ taskId: request.key.taskId, tryNumber: request.tryNumber, pid: request.pid });
          return request.key.taskId !== 'tree';
        });
        const pidFile = path.join(env.home, `refused-${runCounter}.pid`);
        const refused = workload('tree', { conf: { pidFile }, tryNumber: 3 });
        executor.queueWorkload(refused);
        await eventually(() => executor.runningKeys().length === 0, {
          what: 'the refused try let go',
          timeoutMs: 30_000,
        });
        const granted = workload('ok', { conf: { value: 'after' } });
        executor.queueWorkload(granted);
        const end = await recorder.endOf('ok', granted.key.runId);
        expect(end).toMatchObject({ type: 'finished', outcome: { state: 'success' } });
        // The claim carries the pid of the process the try ran in (the task returns its pid).
        const ranIn = (end as { outcome: { xcoms?: { return_value?: { pid?: number } } } }).outcome.xcoms?.return_value
          ?.pid;
        expect(asked).toEqual([
          { taskId: 'tree', tryNumber: 3, pid: expect.any(Number) },
          { taskId: 'ok', tryNumber: 1, pid: ranIn },
        ]);
        // A claimed try's start was written by its claim: no `started` event repeats it.
        expect(recorder.events.filter((e) => e.type === 'started')).toEqual([]);
        expect(fs.existsSync(pidFile)).toBe(false);
        expect(recorder.events.filter((e) => e.key.taskId === 'tree')).toEqual([]);
      },
    );

    it('end() kills tries still running after its timeout, and terminate() kills at once', async () => {
      const { executor, recorder } = await start();
      const first = workload('sleep', { conf: { seconds: 120 } });
      executor.queueWorkload(first);
      const started = await recorder.startOf('sleep', first.key.runId);
      await executor.end(300);
      expect(await recorder.endOf('sleep', first.key.runId)).toMatchObject({ type: 'lost' });
      await eventually(() => !isProcessAlive(started.pid as number), {
        what: `process ${started.pid} is gone`,
        timeoutMs: 10_000,
      });

      const other = await start();
      const second = workload('sleep', { conf: { seconds: 120 } });
      other.executor.queueWorkload(second);
      const secondStarted = await other.recorder.startOf('sleep', second.key.runId);
      await other.executor.terminate();
      expect(await other.recorder.endOf('sleep', second.key.runId)).toMatchObject({ type: 'lost' });
      await eventually(() => !isProcessAlive(secondStarted.pid as number), {
        what: `process ${secondStarted.pid} is gone`,
        timeoutMs: 10_000,
      });
    });
  });
}
