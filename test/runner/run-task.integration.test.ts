import fs from 'node:fs';
import path from 'node:path';
import { taskLogPath } from '../../src/logging/task-log-path';
import { runTask, runTaskTry } from '../../src/runner/run-task';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

const DAG_SOURCE = `
import {
  DAG, BaseOperator, FunctionOperator, BashOperator, FunctionSensor, TaskSkipped, TaskFailedNoRetry,
} from 'dagctl';
// Counts its executions on itself: each try must run on its own copy of the operator.
class CountingOperator extends BaseOperator {
  readonly templateFields = ['label'];
  label = 'plain';
  calls = 0;
  constructor(options: any) { super(options); }
  async execute() { this.calls += 1; return this.calls; }
}
const dag = new DAG('runner_dag', {
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  params: { who: 'world', n: 1 },
});
new FunctionOperator({ taskId: 'ok', dag, fn: (ctx) => {
  ctx.log.info('hello from %s', ctx.taskId);
  console.log('printed with console.log');
  process.stderr.write('written to stderr\\n');
  ctx.xcomPush('extra', { a: 1 });
  return { answer: 42, ds: ctx.ds, try: ctx.tryNumber };
} });
new FunctionOperator({ taskId: 'boom', dag, fn: () => { throw new Error('disk is full\\nsecond line'); } });
new FunctionOperator({ taskId: 'skip_me', dag, fn: () => { throw new TaskSkipped('nothing to do today'); } });
new FunctionOperator({ taskId: 'no_retry', dag, fn: () => {
  throw new TaskFailedNoRetry('bad input, retrying is pointless');
} });
new BashOperator({ taskId: 'bash_skip', dag, bashCommand: 'echo about to skip; exit 99' });
new BashOperator({ taskId: 'bash_fail', dag, bashCommand: 'echo oops >&2; exit 3' });
new BashOperator({ taskId: 'bash_ok', dag, bashCommand: 'echo first; echo "last line"' });
new FunctionSensor({ taskId: 'wait', dag, mode: 'reschedule', pokeInterval: '30s', fn: () => false });
new FunctionOperator({ taskId: 'pull', dag, fn: (ctx) => [
  ctx.xcomPull('ok'),
  ctx.xcomPull('ok', 'extra'),
  ctx.xcomPull('missing'),
] });
new FunctionOperator({ taskId: 'mutates_args', dag, args: ['first'], fn: (_ctx, args) => {
  (args as string[]).push('added by this try');
  return args;
} });
new CountingOperator({ taskId: 'counting', dag });
new FunctionOperator({ taskId: 'not_json', dag, fn: () => ({ big: BigInt(1) }) });
new FunctionOperator({ taskId: 'sleepy', dag, fn: () => new Promise(() => undefined) });
new BashOperator({ taskId: 'slow_bash', dag, bashCommand: 'sleep 30' });
new BashOperator({
  taskId: 'chatty',
  dag,
  bashCommand: 'head -c 6000000 /dev/zero | tr "\\\\0" "x" | fold -w 100; echo done',
});
export default dag;
`;

describe('runTask', () => {
  const env = makeTempHome();
  const file = writeDagFile(env.dags, 'runner_dag.ts', DAG_SOURCE);
  const options = { baseLogFolder: env.logs, logMaxBytes: 1024 * 1024 };
  const workload = (taskId: string, overrides = {}) => makeWorkload(file, 'runner_dag', taskId, overrides);
  const logOf = (taskId: string, tryNumber = 1) =>
    fs.readFileSync(taskLogPath(env.logs, workload(taskId).key, tryNumber), 'utf8');

  afterAll(() => env.remove());

  it('runs a task, returns its XComs and writes everything it printed to the attempt log', async () => {
    const result = await runTaskTry(workload('ok', { tryNumber: 2, maxTries: 3 }), options);
    expect(result.outcome).toEqual({
      state: 'success',
      xcoms: { extra: { a: 1 }, return_value: { answer: 42, ds: '2026-01-05', try: 2 } },
      renderedFields: {},
    });
    expect(result.logPath).toBe(
      path.join(
        env.logs,
        'dag_id=runner_dag',
        'run_id=manual__2026-01-05T00:00:00+00:00',
        'task_id=ok',
        'attempt=2.log',
      ),
    );
    const log = fs.readFileSync(result.logPath, 'utf8');
    const lines = log.trim().split('\n');
    expect(lines[0]).toMatch(/INFO - Starting attempt 2 of 4 for runner_dag\.ok/);
    expect(log).toMatch(/\] INFO - hello from ok\n/);
    expect(log).toContain('printed with console.log\n');
    expect(log).toContain('written to stderr\n');
    expect(lines[lines.length - 1]).toMatch(/Task finished: success/);
  });

  it('fails with the one-line message and keeps the stack in the log only', async () => {
    const outcome = await runTask(workload('boom'), options);
    expect(outcome.state).toBe('failed');
    expect(outcome.reason).toBe('disk is full');
    expect(outcome.noRetry).toBeUndefined();
    expect(logOf('boom')).toMatch(/ERROR - Task failed: Error: disk is full\nsecond line\n\s+at /);
  });

  it('maps TaskSkipped and bash exit 99 to skipped, TaskFailedNoRetry to failed without retry', async () => {
    expect(await runTask(workload('skip_me'), options)).toMatchObject({
      state: 'skipped',
      reason: 'nothing to do today',
    });
    expect(await runTask(workload('bash_skip'), options)).toMatchObject({ state: 'skipped' });
    expect(logOf('bash_skip')).toContain('about to skip\n');
    expect(await runTask(workload('no_retry'), options)).toMatchObject({
      state: 'failed',
      noRetry: true,
      reason: 'bad input, retrying is pointless',
    });
    const failed = await runTask(workload('bash_fail'), options);
    expect(failed).toMatchObject({ state: 'failed', reason: 'Bash command failed with exit code 3' });
    expect(logOf('bash_fail')).toContain('oops\n');
  });

  it('returns the last stdout line of a bash task as its XCom', async () => {
    expect(await runTask(workload('bash_ok'), options)).toMatchObject({
      state: 'success',
      xcoms: { return_value: 'last line' },
    });
  });

  it('reports up_for_reschedule with the next poke time for a reschedule-mode sensor', async () => {
    const before = Date.now();
    const outcome = await runTask(workload('wait'), options);
    expect(outcome.state).toBe('up_for_reschedule');
    const at = new Date(outcome.rescheduleAt as string).getTime();
    expect(at).toBeGreaterThanOrEqual(before + 30_000);
    expect(at).toBeLessThan(Date.now() + 31_000);
  });

  it('gives each try its own copy of templated values: a task mutating them leaks nothing into the next', async () => {
    for (const tryNumber of [1, 2]) {
      const { outcome } = await runTaskTry(workload('mutates_args', { tryNumber }), options);
      expect(outcome.xcoms?.return_value).toEqual(['first', 'added by this try']);
      expect(outcome.renderedFields).toEqual({ args: ['first'] });
    }
  });

  it('runs each try on its own copy of the operator: state a task sets on itself stays in that try', async () => {
    for (const tryNumber of [1, 2]) {
      const { outcome } = await runTaskTry(workload('counting', { tryNumber }), options);
      expect(outcome.xcoms?.return_value).toBe(1);
    }
  });

  it('hands the workload XComs to xcomPull', async () => {
    const outcome = await runTask(workload('pull', { xcoms: { ok: { return_value: 7, extra: 'x' } } }), options);
    expect(outcome.xcoms).toEqual({ return_value: [7, 'x', null] });
  });

  it('fails clearly when an XCom is not JSON-serializable', async () => {
    const outcome = await runTask(workload('not_json'), options);
    expect(outcome.state).toBe('failed');
    expect(outcome.reason).toMatch(/^XCom 'return_value' of task 'not_json' is not JSON: /);
  });

  it('fails without retry when the task or the DAG no longer exists', async () => {
    const noTask = await runTask(workload('gone'), options);
    expect(noTask).toMatchObject({
      state: 'failed',
      noRetry: true,
      reason: `task 'gone' no longer exists in DAG 'runner_dag' (file ${file})`,
    });
    const noDag = await runTask(makeWorkload(file, 'other_dag', 'ok'), options);
    expect(noDag).toMatchObject({
      state: 'failed',
      noRetry: true,
      reason: `DAG 'other_dag' no longer exists in file ${file}`,
    });
    const noFile = await runTask(makeWorkload(path.join(env.dags, 'deleted.ts'), 'runner_dag', 'ok'), options);
    expect(noFile).toMatchObject({ state: 'failed', noRetry: true });
    expect(noFile.reason).toMatch(/deleted\.ts of DAG 'runner_dag' no longer exists/);
  });

  it('enforces the execution timeout: aborts the task and fails with the limit', async () => {
    const outcome = await runTask(workload('slow_bash', { executionTimeoutMs: 500 }), options);
    expect(outcome).toMatchObject({ state: 'failed', reason: 'execution timeout after 500ms' });
    const hung = await runTaskTry(workload('sleepy', { executionTimeoutMs: 1000 }), { ...options, settleGraceMs: 100 });
    expect(hung.outcome).toMatchObject({ state: 'failed', reason: 'execution timeout after 1s' });
    expect(hung.stillRunning).toBe(true);
    // The timeout is the task's own failure, not a stop from outside.
    expect(hung.stopped).toBe(false);
  });

  // An abort that came before the task started (a hand run fenced or Ctrl-C'd while its DAG file
  // loaded) was lost: the task ran to its end beside the next try.
  it('does not run a task whose abort signal fired before it started', async () => {
    const stop = new AbortController();
    stop.abort(new Error('stopped early'));
    const { outcome, stopped } = await runTaskTry(workload('counting', { tryNumber: 9 }), {
      ...options,
      signal: stop.signal,
    });
    expect(outcome).toMatchObject({ state: 'failed', reason: expect.stringMatching(/stopped early/) });
    expect(stopped).toBe(true);
    expect(outcome.xcoms ?? {}).toEqual({});
    expect(logOf('counting', 9)).not.toMatch(/Task finished: success/);
  });

  // A hand run fenced just after its task ended took the try for stopped: it printed "stopped …;
  // its task instance is now success" and exited non-zero.
  it('does not report a try stopped when its abort signal fired only after the task ended', async () => {
    const stop = new AbortController();
    const result = await runTaskTry(workload('ok', { tryNumber: 10 }), {
      ...options,
      signal: stop.signal,
      onLogText: (text) => {
        if (text.includes('Task finished')) stop.abort(new Error('fenced too late'));
      },
    });
    expect(stop.signal.aborted).toBe(true);
    expect(result.outcome.state).toBe('success');
    expect(result.stopped).toBe(false);
  });

  it('caps the log of a task that prints megabytes, with one notice line', async () => {
    const outcome = await runTask(workload('chatty'), { baseLogFolder: env.logs, logMaxBytes: 200_000 });
    expect(outcome.state).toBe('success');
    const log = logOf('chatty');
    const size = Buffer.byteLength(log);
    expect(size).toBeGreaterThan(200_000);
    expect(size).toBeLessThan(201_000);
    expect(log.match(/log truncated/g)).toHaveLength(1);
    expect(log.trim().split('\n').pop()).toMatch(/Task finished: success/);
  });

  it('re-imports a DAG file that changed since it was loaded', async () => {
    const own = writeDagFile(
      env.dags,
      'changing.ts',
      `import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('changing', { schedule: null });
new FunctionOperator({ taskId: 't', dag, fn: () => 'v1' });
export default dag;`,
    );
    expect((await runTask(makeWorkload(own, 'changing', 't'), options)).xcoms).toEqual({ return_value: 'v1' });
    fs.writeFileSync(own, fs.readFileSync(own, 'utf8').replace("'v1'", "'version2'"));
    expect((await runTask(makeWorkload(own, 'changing', 't', { tryNumber: 2 }), options)).xcoms).toEqual({
      return_value: 'version2',
    });
  });
});
