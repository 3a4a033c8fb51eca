import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { taskLogPath } from '../../src/logging/task-log-path';
import { isProcessRunning } from '../../src/core/process-table';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { deleteDag } from '../../src/services/delete-dag';
import { markDagRunState } from '../../src/services/mark-dag-run-state';
import { markTaskInstanceState } from '../../src/services/mark-task-instance-state';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { waitForRun } from '../helpers/run-queries';

/**
 * Every way a running try is ended from outside stops its whole process tree: a bash task that
 * started a child of its own (`sleep 300 & wait`) loses that child too, and a retry starts only
 * after the previous try's processes are gone.
 */

/**
 * A bash task whose child's pid goes to `<dir>/<run>/child.<try>`; a try that sees an earlier try's
 * child alive (a zombie is not alive) notes it in `<dir>/<run>/overlap`.
 */
const TREE_COMMAND = [
  'd="$STOP_DIR/$DAGCTL_CTX_RUN_ID"; mkdir -p "$d"',
  // A killed child is a zombie until init reaps it (slowly on a loaded machine): alive means not Z.
  'alive() { [ -r "/proc/$1/stat" ] && ! sed "s/.*) //" "/proc/$1/stat" | grep -q "^Z"; }',
  'for f in "$d"/child.*; do [ -f "$f" ] && alive "$(cat "$f")" && echo "$f" >> "$d/overlap"; done',
  'sleep 300 & echo $! > "$d/child.$DAGCTL_CTX_TRY_NUMBER"; wait',
].join('\n');

function treeDag(dagId: string, dagOptions: string, taskOptions: string): string {
  return `
import { writeFileSync } from 'node:fs';
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG(${JSON.stringify(dagId)}, { schedule: null, startDate: '2026-01-01T00:00:00Z', ${dagOptions} });
new BashOperator({
  taskId: 'tree',
  bashCommand: ${JSON.stringify(TREE_COMMAND)},
  env: { STOP_DIR: process.env.DAGCTL_HOME + '/stop' },
  dag,
  ${taskOptions}
});
void writeFileSync;
export default dag;
`;
}

const DAGS: Record<string, string> = {
  'stop_timeout.ts': treeDag(
    'stop_timeout',
    '',
    `executionTimeout: '2s', retries: 1, retryDelay: 0,
  onFailureCallback: (ctx) =>
    writeFileSync(process.env.DAGCTL_HOME + '/stop/failure-callback-' + ctx.tryNumber, 'ran'),`,
  ),
  'stop_dagrun_timeout.ts': treeDag('stop_dagrun_timeout', "dagrunTimeout: '3s'", ''),
  'stop_mark_task.ts': treeDag('stop_mark_task', '', ''),
  'stop_mark_run.ts': treeDag('stop_mark_run', '', ''),
  'stop_delete.ts': treeDag('stop_delete', '', ''),
  'stop_clear.ts': treeDag('stop_clear', '', ''),
};

describe('stop means stop (sqlite, local executor)', () => {
  jest.setTimeout(180_000);
  const engine = engineHarness({
    kind: 'sqlite',
    env: {
      DAGCTL__CORE__EXECUTOR: 'local',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
      DAGCTL__CORE__KILLED_TASK_CLEANUP_TIME: '2s',
    },
    dags: DAGS,
    beforeStart: ({ home }) => {
      fs.mkdirSync(path.join(home.home, 'stop'));
    },
  });
  let ctx: AppContext;
  let home: TestHome;
  beforeAll(() => {
    ({ ctx, home } = engine);
  });

  const runDir = (runId: string): string => path.join(home.home, 'stop', runId);
  const childPid = (runId: string, tryNumber: number): Promise<number> =>
    eventually(
      () => {
        const text = fs.readFileSync(path.join(runDir(runId), `child.${tryNumber}`), 'utf8').trim();
        if (!text) throw new Error('empty pid file');
        return Number(text);
      },
      { what: `try ${tryNumber} of ${runId} to start its child`, timeoutMs: 60_000 },
    );
  const childGone = (pid: number): Promise<boolean> =>
    eventually(() => !isProcessRunning(pid), { what: `child ${pid} to be gone`, timeoutMs: 30_000 });
  const tryLog = (dagId: string, runId: string, tryNumber: number): string =>
    fs.readFileSync(
      taskLogPath(home.config.logging.base_log_folder, { dagId, runId, taskId: 'tree', mapIndex: -1 }, tryNumber),
      'utf8',
    );
  const tiRow = async (dagId: string, runId: string): Promise<{ state: string; end_reason: string | null }> => {
    const { records } = await execSql<{ state: string; end_reason: string | null }>(
      ctx.dataSource,
      'SELECT state, end_reason FROM task_instance WHERE dag_id = ? AND run_id = ?',
      [dagId, runId],
    );
    return records[0];
  };

  it('execution timeout: the tree is stopped, the retry starts after it is gone, onFailureCallback runs', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_timeout' });
    const first = await childPid(runId, 1);
    const second = await childPid(runId, 2);
    expect(isProcessRunning(first)).toBe(false);
    expect(await waitForRun(ctx, 'stop_timeout', runId)).toBe('failed');
    await childGone(second);
    expect(fs.existsSync(path.join(runDir(runId), 'overlap'))).toBe(false);
    expect((await tiRow('stop_timeout', runId)).end_reason).toMatch(/execution timeout after 2s/);
    // Try 1 had a retry left (onRetryCallback); try 2 did not: its onFailureCallback ran (in the
    // task process, which may report the failure a moment before the callback's file is written).
    await eventually(() => fs.existsSync(path.join(home.home, 'stop', 'failure-callback-2')), {
      what: 'the failure callback of try 2',
    });
    // Why it stopped is in the log, whichever came first: the runner's own timer or the executor's
    // stop (under load either can; both end the whole tree).
    expect(tryLog('stop_timeout', runId, 2)).toMatch(/execution timeout after 2s/);
  });

  it('dagrun_timeout: the running try is stopped and skipped, the run fails', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_dagrun_timeout' });
    const child = await childPid(runId, 1);
    expect(await waitForRun(ctx, 'stop_dagrun_timeout', runId)).toBe('failed');
    await childGone(child);
    expect(await tiRow('stop_dagrun_timeout', runId)).toMatchObject({ state: 'skipped' });
    await eventually(
      () => expect(tryLog('stop_dagrun_timeout', runId, 1)).toMatch(/stopped by the scheduler: .*dag run timed out/),
      { what: 'the log to say why the try was stopped', timeoutMs: 10_000 },
    );
  });

  it('a task instance marked failed by hand: its try is stopped, the log names who', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_mark_task' });
    const child = await childPid(runId, 1);
    await markTaskInstanceState(ctx, {
      dagId: 'stop_mark_task',
      runId,
      taskId: 'tree',
      state: 'failed',
      actor: 'alice',
    });
    await childGone(child);
    await eventually(
      () => expect(tryLog('stop_mark_task', runId, 1)).toMatch(/stopped by the scheduler: .*marked failed by alice/),
      { what: 'the log to say who stopped the try', timeoutMs: 10_000 },
    );
    expect(await tiRow('stop_mark_task', runId)).toMatchObject({
      state: 'failed',
      end_reason: 'marked failed by alice',
    });
  });

  it('a run marked failed by hand: its running try is stopped', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_mark_run' });
    const child = await childPid(runId, 1);
    await markDagRunState(ctx, { dagId: 'stop_mark_run', runId, state: 'failed', actor: 'bob' });
    await childGone(child);
    expect(await tiRow('stop_mark_run', runId)).toMatchObject({ state: 'failed' });
  });

  it('a DAG deleted while its task runs: the try is stopped', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_delete' });
    const child = await childPid(runId, 1);
    await deleteDag(ctx, 'stop_delete', 'carol');
    await childGone(child);
    await eventually(
      () =>
        expect(tryLog('stop_delete', runId, 1)).toMatch(/stopped by the scheduler: its task instance no longer exists/),
      { what: 'the log to say why the try was stopped', timeoutMs: 10_000 },
    );
  });

  it('a task instance cleared while running: it is restarting, its try is stopped, then it runs again', async () => {
    const { runId } = await triggerDagRun(ctx, { dagId: 'stop_clear' });
    const first = await childPid(runId, 1);
    const cleared = await clearTaskInstances(ctx, { dagId: 'stop_clear', runId, actor: 'carol' });
    expect(cleared.restarting.map((ti) => ti.taskId)).toEqual(['tree']);
    expect((await tiRow('stop_clear', runId)).state).toBe('restarting');
    await childGone(first);
    // Try 2 starts only once try 1's processes are gone, and it is not a retry (the task has none).
    const second = await childPid(runId, 2);
    expect(isProcessRunning(second)).toBe(true);
    expect(fs.existsSync(path.join(runDir(runId), 'overlap'))).toBe(false);
    expect(await tiRow('stop_clear', runId)).toMatchObject({ state: 'running' });
    expect(tryLog('stop_clear', runId, 1)).toMatch(/Stopping this try \(by the local executor\): .*restarting/);
    await markDagRunState(ctx, { dagId: 'stop_clear', runId, state: 'success', actor: 'carol' });
    await childGone(second);
  });
});
