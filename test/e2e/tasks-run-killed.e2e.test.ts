import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { isProcessRunning, listProcesses } from '../../src/core/process-table';
import { execSql } from '../../src/db/sql';
import { HAND_RUN_LOST_REASON } from '../../src/db/transitions/lost-to-platform';
import { CLI, dagctl, startDagctl, stopProcess } from '../helpers/cli';
import type { TestHome } from '../helpers/dagctl-home';
import { InitializedCliHome, initializeCliHome } from '../helpers/initialized-cli-home';
import { eventually } from '../helpers/eventually';
import { readHandRunTry } from '../helpers/hand-run-try';
import { DATABASE_KINDS } from '../helpers/test-database';

/** Its first try waits (in the `tasks run` process itself) until it is killed; later tries succeed. */
const HAND_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('hand', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({
  taskId: 'slow',
  retries: 0,
  dag,
  fn: async (ctx) => {
    if (ctx.tryNumber === 1) await new Promise((resolve) => setTimeout(resolve, 120_000));
    return 'try ' + ctx.tryNumber;
  },
});
export default dag;
`;

const FAILS_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('hand_fails', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'boom', retries: 0, dag, fn: () => { throw new Error('boom'); } });
export default dag;
`;

/**
 * Its first try writes its bash's pid (the number of its process group: it leads it) and becomes a
 * long sleep; later tries write what they see of that process (its /proc state letter, or "gone").
 */
function bashDag(dir: string): string {
  const command = [
    `if [ "$DAGCTL_CTX_TRY_NUMBER" = 1 ]; then echo $$ > "${dir}/try1.pid"; exec sleep 600; fi`,
    `p=$(cat "${dir}/try1.pid")`,
    `s=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -c1)`,
    `echo "\${s:-gone}" > "${dir}/try1-seen-by-try$DAGCTL_CTX_TRY_NUMBER"`,
  ].join('; ');
  return `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('hand_bash', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'sleepy', retries: 0, dag, bashCommand: ${JSON.stringify(command)} });
export default dag;
`;
}

/**
 * `dagctl tasks run` killed with SIGKILL mid-try leaves its task instance running with no one to
 * end it, but for its LocalTaskJob: a scheduler finds that job's process gone from this host and
 * ends the try as lost to the platform, then runs it again as a new try.
 */
describe.each(DATABASE_KINDS)('tasks run killed mid-try on %s', (kind) => {
  let cli: InitializedCliHome;
  let home: TestHome;
  let ds: DataSource;
  let dir: string;

  beforeAll(async () => {
    cli = await initializeCliHome(kind, {
      env: { DAGCTL__SCHEDULER__ZOMBIE_THRESHOLD: '3', DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s' },
      dags: (h) => {
        dir = path.join(h.home, 'marks');
        fs.mkdirSync(dir);
        return { 'hand.ts': HAND_DAG, 'hand_fails.ts': FAILS_DAG, 'hand_bash.ts': bashDag(dir) };
      },
    });
    ({ home, ds } = cli);
  });

  afterAll(() => cli?.close());

  const handTry = () => readHandRunTry(ds, 'hand', 'r1', 'slow');

  it('ends the try as lost and runs it again', async () => {
    expect(dagctl(['trigger', 'hand', '-r', 'r1'], home.env).status).toBe(0);
    // Its own process group, so the kill takes everything it started.
    const hand = spawn(process.execPath, [CLI, 'tasks', 'run', 'hand', 'slow', 'r1'], {
      env: home.env,
      cwd: home.home,
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => hand.once('exit', resolve));
    try {
      // Running under its LocalTaskJob, which heartbeats while the task waits.
      const running = await eventually(
        async () => {
          const t = await handTry();
          expect(t).toMatchObject({ state: 'running', try_number: 1, job_type: 'LocalTaskJob', job_state: 'running' });
          expect(new Date(t!.heartbeat!).getTime()).toBeGreaterThan(new Date(t!.started!).getTime());
          return t!;
        },
        { what: 'the hand run to claim its try and heartbeat', timeoutMs: 20_000, intervalMs: 100 },
      );
      process.kill(-hand.pid!, 'SIGKILL');
      await exited;
      expect(await handTry()).toMatchObject({ state: 'running', job_state: 'running', job_id: running.job_id });

      const scheduler = startDagctl(['scheduler'], home.env);
      try {
        await eventually(async () => expect(await handTry()).toMatchObject({ state: 'success', try_number: 2 }), {
          what: 'the lost try to run again',
          timeoutMs: 25_000,
          intervalMs: 200,
        });
      } finally {
        await stopProcess(scheduler.child);
      }
      const { records: history } = await execSql<{ try_number: number; state: string; end_reason: string }>(
        ds,
        `SELECT try_number, state, end_reason FROM task_instance_history
         WHERE dag_id = 'hand' AND task_id = 'slow' ORDER BY try_number`,
      );
      expect(history[0]).toMatchObject({ state: 'up_for_retry', end_reason: HAND_RUN_LOST_REASON });
      expect(Number(history[0].try_number)).toBe(1);
      const { records: job } = await execSql<{ state: string }>(ds, 'SELECT state FROM job WHERE id = ?', [
        running.job_id,
      ]);
      expect(job[0].state).toBe('failed');
    } finally {
      if (hand.exitCode === null && hand.signalCode === null) process.kill(-hand.pid!, 'SIGKILL');
    }
  }, 60_000);

  it("kills the BashOperator's bash it left running before the try runs again", async () => {
    expect(dagctl(['trigger', 'hand_bash', '-r', 'r3'], home.env).status).toBe(0);
    const hand = spawn(process.execPath, [CLI, 'tasks', 'run', 'hand_bash', 'sleepy', 'r3'], {
      env: home.env,
      cwd: home.home,
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => hand.once('exit', resolve));
    const bashTry = () => readHandRunTry(ds, 'hand_bash', 'r3', 'sleepy');
    /** Processes of try 1's bash group (its leader's pid) that still run. */
    const groupRunning = (pgid: number) => listProcesses().filter((row) => row.pgid === pgid && row.state !== 'Z');
    let bash: number | null = null;
    try {
      bash = await eventually(
        async () => {
          expect(await bashTry()).toMatchObject({ state: 'running', try_number: 1, job_state: 'running' });
          return Number(fs.readFileSync(path.join(dir, 'try1.pid'), 'utf8').trim()) || false;
        },
        { what: "try 1's bash to run", timeoutMs: 20_000, intervalMs: 100 },
      );
      // The hand run's group dies; the bash, in a session of its own, goes on.
      process.kill(-hand.pid!, 'SIGKILL');
      await exited;
      expect(isProcessRunning(bash)).toBe(true);

      const scheduler = startDagctl(['scheduler'], home.env);
      try {
        // The first orphan check kills the bash; the next one (10 s on) ends the try.
        await eventually(async () => expect(await bashTry()).toMatchObject({ state: 'success', try_number: 2 }), {
          what: 'the lost try to run again',
          timeoutMs: 45_000,
          intervalMs: 200,
        });
      } finally {
        await stopProcess(scheduler.child);
      }
      // Try 2 ran only once try 1's bash was gone (a zombie has exited: it only awaits its reaper).
      expect(['gone', 'Z']).toContain(fs.readFileSync(path.join(dir, 'try1-seen-by-try2'), 'utf8').trim());
      expect(groupRunning(bash)).toEqual([]);
    } finally {
      if (hand.exitCode === null && hand.signalCode === null) process.kill(-hand.pid!, 'SIGKILL');
      if (bash !== null && groupRunning(bash).length > 0) process.kill(-bash, 'SIGKILL');
    }
  }, 90_000);

  it('a hand run that ends normally ends its job as success, whatever its task did', async () => {
    const jobOf = async (dagId: string) => {
      const { records } = await execSql<{ job_type: string; state: string; end_date: string | null }>(
        ds,
        `SELECT j.job_type, j.state, j.end_date FROM task_instance ti JOIN job j ON j.id = ti.queued_by_job_id
         WHERE ti.dag_id = ? AND ti.run_id = 'r2'`,
        [dagId],
      );
      return records;
    };
    const ended = [{ job_type: 'LocalTaskJob', state: 'success', end_date: expect.anything() }];
    expect(dagctl(['trigger', 'hand', '-r', 'r2'], home.env).status).toBe(0);
    // Try 2 does not wait.
    expect(dagctl(['tasks', 'run', 'hand', 'slow', 'r2', '--try', '2'], home.env).status).toBe(0);
    expect(await jobOf('hand')).toEqual(ended);

    expect(dagctl(['trigger', 'hand_fails', '-r', 'r2'], home.env).status).toBe(0);
    const failed = dagctl(['tasks', 'run', 'hand_fails', 'boom', 'r2'], home.env);
    expect(failed.status).toBe(1);
    expect(await jobOf('hand_fails')).toEqual(ended);
  }, 60_000);
});
