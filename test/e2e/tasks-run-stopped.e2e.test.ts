import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { isProcessRunning } from '../../src/core/process-table';
import { execSql } from '../../src/db/sql';
import { taskLogPath } from '../../src/logging/task-log-path';
import { CLI, dagctl } from '../helpers/cli';
import type { TestHome } from '../helpers/dagctl-home';
import { InitializedCliHome, initializeCliHome } from '../helpers/initialized-cli-home';
import { eventually } from '../helpers/eventually';
import { readHandRunTry } from '../helpers/hand-run-try';
import { DATABASE_KINDS } from '../helpers/test-database';

/**
 * A hand run (`dagctl tasks run`) stopped from outside its task must stop the task — a BashOperator's
 * bash lives in a session of its own, which nothing else would kill — so that no try of the task
 * runs beside the next one: when a scheduler declared its LocalTaskJob dead (here: the test marks
 * it failed, as resetOrphanedTasks does), and on SIGTERM or SIGINT (Ctrl-C).
 */
function stoppedDag(dir: string): string {
  // bash writes its pid (its process group's number: it leads the group) and becomes the sleep.
  const bash = (taskId: string, retries: number): string => `
new BashOperator({
  taskId: '${taskId}',
  retries: ${retries},
  dag,
  bashCommand: 'echo $$ > "${dir}/${taskId}-$DAGCTL_CTX_RUN_ID.pid"; exec sleep 600',
});`;
  return `
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('stopped', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
${bash('sleepy', 0)}
${bash('retried', 1)}
// Ignores SIGTERM: only the BashOperator's SIGKILL after its grace stops it.
new BashOperator({
  taskId: 'stubborn',
  retries: 0,
  dag,
  bashCommand: 'trap "" TERM; echo $$ > "${dir}/stubborn-$DAGCTL_CTX_RUN_ID.pid"; while true; do sleep 0.2; done',
});
// Ignores its abort: it never ends, and its child would go on beside the next try.
new FunctionOperator({
  taskId: 'ignores',
  retries: 0,
  dag,
  fn: () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    fs.writeFileSync(${JSON.stringify(path.join(dir, 'ignores-child.pid'))}, String(child.pid));
    return new Promise(() => undefined);
  },
});
new FunctionOperator({
  taskId: 'spin',
  retries: 0,
  dag,
  fn: () => {
    // A child in the hand run's own process group, which the kill must take too.
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    fs.writeFileSync(${JSON.stringify(path.join(dir, 'spin-child.pid'))}, String(child.pid));
    fs.writeFileSync(${JSON.stringify(path.join(dir, 'spinning'))}, '');
    // Synchronous: this process's event loop cannot see the fence (a minute at most if all fails).
    const until = Date.now() + 60_000;
    while (Date.now() < until) { /* spin */ }
    return 'spun';
  },
});
export default dag;
`;
}

const groupGone = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

describe.each(DATABASE_KINDS)('tasks run stopped from outside on %s', (kind) => {
  let cli: InitializedCliHome;
  let home: TestHome;
  let ds: DataSource;
  let dir: string;

  beforeAll(async () => {
    cli = await initializeCliHome(kind, {
      env: { DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '200ms' },
      dags: (h) => {
        dir = path.join(h.home, 'pids');
        fs.mkdirSync(dir);
        return { 'stopped.ts': stoppedDag(dir) };
      },
    });
    ({ home, ds } = cli);
  });

  afterAll(() => cli?.close());

  const handTry = (taskId: string, runId: string) => readHandRunTry(ds, 'stopped', runId, taskId);

  /**
   * Starts `tasks run` of one task and waits until its try runs (its bash wrote its pid, if any).
   * `inPipeline`: as `dagctl tasks run … | sleep 600` from an interactive shell — the hand run
   * leads a process group that also holds the pipeline's `sleep` (it writes sibling.pid); `hand`
   * is then the shell.
   */
  const startHandRun = async (taskId: string, runId: string, started: string, inPipeline = false) => {
    expect(dagctl(['trigger', 'stopped', '-r', runId], home.env).status).toBe(0);
    const args = [CLI, 'tasks', 'run', 'stopped', taskId, runId];
    const sibling = `{ echo $BASHPID > ${JSON.stringify(path.join(dir, 'sibling.pid'))}; exec sleep 600; }`;
    const hand = inPipeline
      ? // set -m: job control, as in an interactive shell (the pipeline gets a group of its own).
        spawn('bash', ['-c', `set -m; "$@" | ${sibling}`, 'bash', process.execPath, ...args], {
          env: home.env,
          cwd: home.home,
          stdio: ['ignore', 'ignore', 'pipe'],
          detached: true,
        })
      : spawn(process.execPath, args, { env: home.env, cwd: home.home, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    hand.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      hand.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const ti = await eventually(
      async () => {
        expect(fs.existsSync(path.join(dir, started))).toBe(true);
        const t = await handTry(taskId, runId);
        expect(t).toMatchObject({ state: 'running', job_state: 'running' });
        return t!;
      },
      { what: `the hand run of ${taskId} to run`, timeoutMs: 30_000, intervalMs: 100 },
    );
    return { hand, exited, ti, stderr: () => stderr };
  };

  const stubbornKey = (runId: string) => ({ dagId: 'stopped', taskId: 'stubborn', runId, mapIndex: -1 });

  const readPid = (file: string): number => Number(fs.readFileSync(path.join(dir, file), 'utf8').trim());

  it('stops its task once a scheduler marked its LocalTaskJob failed', async () => {
    const run = await startHandRun('sleepy', 'fenced', 'sleepy-fenced.pid');
    const pgid = readPid('sleepy-fenced.pid');
    try {
      await execSql(ds, `UPDATE job SET state = 'failed', end_date = ? WHERE id = ? AND state = 'running'`, [
        new Date().toISOString(),
        run.ti.job_id,
      ]);
      const { code } = await run.exited;
      expect(code).toBe(1);
      const errors = run
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('error:'));
      const expected =
        'error: the hand run of .*sleepy.* was stopped \\(job \\d+ is no longer running in the database: ' +
        'a scheduler took it for dead\\); its task instance is now failed';
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^${expected}$`))]);
      await eventually(() => expect(groupGone(pgid)).toBe(true), { what: "the task's bash group to be gone" });
      expect(await handTry('sleepy', 'fenced')).toMatchObject({ state: 'failed', job_state: 'failed' });
    } finally {
      if (!groupGone(pgid)) process.kill(-pgid, 'SIGKILL');
      if (run.hand.exitCode === null) run.hand.kill('SIGKILL');
    }
  }, 60_000);

  it.each([
    ['SIGTERM', 'retried', 143, 'up_for_retry'],
    ['SIGINT', 'sleepy', 130, 'failed'],
    ['SIGTERM', 'stubborn', 143, 'failed'],
  ] as const)(
    '%s stops its task %s, records the outcome and ends the job',
    async (name, taskId, exitCode, state) => {
      const runId = `signal-${name}-${taskId}`;
      const run = await startHandRun(taskId, runId, `${taskId}-${runId}.pid`);
      const pgid = readPid(`${taskId}-${runId}.pid`);
      try {
        run.hand.kill(name);
        expect(await run.exited).toEqual({ code: exitCode, signal: null });
        const errors = run
          .stderr()
          .split('\n')
          .filter((line) => line.startsWith('error:'));
        expect(errors).toEqual([
          `error: the hand run of stopped.${taskId} (${runId}) try 1 was stopped (received ${name}); ` +
            `its task instance is now ${state}`,
        ]);
        // Killed before the hand run exited, even a command that ignores SIGTERM (its members are
        // reaped a moment later): nothing of this try goes on beside the next one.
        await eventually(() => expect(groupGone(pgid)).toBe(true), { what: "the task's bash group to be gone" });
        expect(await handTry(taskId, runId)).toMatchObject({ state, job_state: 'success' });
      } finally {
        if (!groupGone(pgid)) process.kill(-pgid, 'SIGKILL');
        if (run.hand.exitCode === null) run.hand.kill('SIGKILL');
      }
    },
    60_000,
  );

  it('SIGTERM: what a task that ignores its abort started is killed before the hand run exits', async () => {
    const run = await startHandRun('ignores', 'signal-ignores', 'ignores-child.pid');
    const child = readPid('ignores-child.pid');
    try {
      run.hand.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 143, signal: null });
      await eventually(() => expect(isProcessRunning(child)).toBe(false), { what: "the task's child to be gone" });
    } finally {
      if (isProcessRunning(child)) process.kill(child, 'SIGKILL');
      if (run.hand.exitCode === null) run.hand.kill('SIGKILL');
    }
  }, 60_000);

  it("a second signal SIGKILLs the task's processes and exits at once", async () => {
    const runId = 'signal-twice';
    const run = await startHandRun('stubborn', runId, `stubborn-${runId}.pid`);
    const pgid = readPid(`stubborn-${runId}.pid`);
    try {
      run.hand.kill('SIGTERM');
      // The try's output, this process's stderr included, goes to the attempt's log.
      const log = taskLogPath(home.config.logging.base_log_folder, stubbornKey(runId), 1);
      await eventually(() => expect(fs.readFileSync(log, 'utf8')).toContain('SIGTERM received'), {
        what: 'the first SIGTERM seen',
      });
      // The stubborn command ignores SIGTERM; its SIGKILL would come from this process, 5 s later.
      run.hand.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 143, signal: null });
      await eventually(() => expect(groupGone(pgid)).toBe(true), { what: "the task's bash group to be gone" });
    } finally {
      if (!groupGone(pgid)) process.kill(-pgid, 'SIGKILL');
      if (run.hand.exitCode === null) run.hand.kill('SIGKILL');
    }
  }, 60_000);

  it('a task blocking the event loop: the thread kills it and what it started, not its pipeline', async () => {
    const run = await startHandRun('spin', 'blocked', '../pids/spinning', true);
    const handPid = run.ti.job_pid!;
    const child = readPid('spin-child.pid');
    const sibling = await eventually(
      () => {
        const pid = readPid('sibling.pid');
        expect(pid).toBeGreaterThan(0);
        return pid;
      },
      { what: "the pipeline's other command" },
    );
    try {
      await execSql(ds, `UPDATE job SET state = 'failed', end_date = ? WHERE id = ? AND state = 'running'`, [
        new Date().toISOString(),
        run.ti.job_id,
      ]);
      await eventually(() => expect(isProcessRunning(handPid)).toBe(false), { what: 'the hand run to be killed' });
      expect(run.stderr()).toMatch(
        new RegExp(
          'dagctl tasks run: job \\d+ is no longer running in the database: a scheduler took it for dead; ' +
            'the task did not stop when told to, killing the process',
        ),
      );
      // What the task started goes with it; the pipeline's `sleep`, in the hand run's group but not
      // started by it, is left to its shell (as `tasks run … | tee` keeps its tee).
      await eventually(() => expect(isProcessRunning(child)).toBe(false), { what: "the task's child to be gone" });
      expect(isProcessRunning(sibling)).toBe(true);
    } finally {
      for (const pgid of [handPid, run.hand.pid!]) if (!groupGone(pgid)) process.kill(-pgid, 'SIGKILL');
      await run.exited;
    }
  }, 60_000);
});
