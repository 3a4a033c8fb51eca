import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TaskWorkload } from '../../src/core/executor';
import { isProcessAlive, isProcessRunning } from '../../src/core/process-table';
import { distEntry } from '../../src/core/dist-path';
import { TaskProcess } from '../../src/runner/task-process';
import { TaskProcessPool } from '../../src/runner/task-process-pool';
import { staticVariableSource } from '../../src/runner/variable-source';
import { eventually } from '../helpers/eventually';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

jest.setTimeout(120_000);

/** The pool as the scheduler loads it (from dist/), for tests that run it in a process of their own. */
const POOL_MODULE = path.resolve(__dirname, '../../dist/runner/task-process-pool.js');

/**
 * Runs one try in the pool built by `poolExpression` (JavaScript, with `TaskProcessPool` in scope)
 * in a node process of its own, and returns the try's result and everything that process and its
 * children wrote to stderr — which never reaches this jest worker's stderr.
 */
async function runPoolInOwnProcess(
  poolExpression: string,
  workload: TaskWorkload,
): Promise<{ result: unknown; stderr: string }> {
  const script = `
const { TaskProcessPool } = require(${JSON.stringify(POOL_MODULE)});
const pool = ${poolExpression};
pool.run(${JSON.stringify(workload)}).then(async (result) => {
  process.stdout.write(JSON.stringify(result));
  await pool.close(10_000);
});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  if (code !== 0 || stdout === '') throw new Error(`the pool process exited with ${code}: ${stdout}\n${stderr}`);
  return { result: JSON.parse(stdout), stderr };
}

describe('TaskProcessPool', () => {
  const env = makeTempHome('dagctl-pool-');
  const file = writeDagFile(
    env.dags,
    'pool_dag.ts',
    `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('pool_dag', { schedule: null });
new BashOperator({ taskId: 'var', dag, bashCommand: 'echo {{ var.value.region }}' });
new FunctionOperator({ taskId: 'pid', dag, fn: () => process.pid });
new FunctionOperator({ taskId: 'hog', dag, fn: () => {
  const kept: number[][] = [];
  for (;;) kept.push(new Array(100_000).fill(1));
} });
new BashOperator({
  taskId: 'wait_for_file',
  dag,
  bashCommand: 'while [ ! -e "{{ dag_run.conf.file }}" ]; do sleep 0.05; done; echo done',
});
new BashOperator({ taskId: 'sleepy', dag, bashCommand: 'echo $$ > "{{ dag_run.conf.pidFile }}"; exec sleep 600' });
export default dag;`,
  );
  const childEnv = { ...process.env, DAGCTL_HOME: env.home };
  let counter = 0;
  const workload = (taskId: string, overrides: Partial<TaskWorkload> = {}): TaskWorkload => {
    const base = makeWorkload(file, 'pool_dag', taskId, overrides);
    counter += 1;
    return { ...base, key: { ...base.key, runId: `pool_${counter}` } };
  };

  afterAll(() => env.remove());

  it('says "out of memory" when a task exhausts the JavaScript heap, in the result and the task log', async () => {
    // The pool runs in a process of its own: the pool passes its children's stderr on to its own,
    // and V8's last words there ("Last few GCs", "heap out of memory") make jest's parent take a
    // worker whose stderr shows them for one out of memory and SIGTERM it mid-suite (jest-worker's
    // ChildProcessWorker, whenever more than one worker runs).
    const w = workload('hog');
    const { result, stderr } = await runPoolInOwnProcess(
      `new TaskProcessPool({
        size: 1,
        env: { ...process.env, DAGCTL_HOME: ${JSON.stringify(env.home)}, NODE_OPTIONS: '--max-old-space-size=96' },
        baseLogFolder: ${JSON.stringify(env.logs)},
      })`,
      w,
    );
    expect(result).toMatchObject({ kind: 'lost', reason: expect.stringMatching(/ran out of memory/) });
    expect(stderr).toContain('heap out of memory');
    const log = fs.readFileSync(
      path.join(env.logs, 'dag_id=pool_dag', `run_id=${w.key.runId}`, 'task_id=hog', 'attempt=1.log'),
      'utf8',
    );
    expect(log).toMatch(/ERROR - task process lost: task process \d+ ran out of memory/);
  });

  it('asks the parent for variables when given a variable source', async () => {
    const pool = new TaskProcessPool({
      size: 1,
      env: childEnv,
      variables: staticVariableSource({ region: 'eu-west' }),
    });
    try {
      const result = await pool.run(workload('var'));
      expect(result).toMatchObject({
        kind: 'finished',
        outcome: { state: 'success', xcoms: { return_value: 'eu-west' } },
      });
      if (result.kind === 'finished')
        expect(result.logPath).toBe(
          path.join(env.logs, 'dag_id=pool_dag', `run_id=pool_${counter}`, 'task_id=var', 'attempt=1.log'),
        );
    } finally {
      await pool.close(10_000);
    }
  });

  it('names the process after the try while it runs and reports onStarted', async () => {
    const pool = new TaskProcessPool({ size: 1, env: childEnv });
    const flag = path.join(env.home, 'go');
    try {
      const w = workload('wait_for_file', { conf: { file: flag } });
      let onStarted!: (pid: number) => void;
      const started = new Promise<number>((resolve) => (onStarted = resolve));
      const result = pool.run(w, { onStarted });
      const startedPid = await Promise.race([
        started,
        result.then((r) => Promise.reject(new Error(`the try ended before onStarted: ${JSON.stringify(r)}`))),
      ]);
      expect(pool.pids()).toEqual([startedPid]);
      const cmdline = fs.readFileSync(`/proc/${startedPid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      expect(cmdline).toContain(`dagctl tasks run pool_dag wait_for_file ${w.key.runId} --try 1`);
      expect(pool.busyCount).toBe(1);
      fs.writeFileSync(flag, '');
      expect(await result).toMatchObject({ kind: 'finished', pid: startedPid, outcome: { state: 'success' } });
    } finally {
      await pool.close(10_000);
    }
  });

  it('tells the parent only what it listens for: started with onStarted, executing with a timeout', async () => {
    const child = new TaskProcess({ entry: distEntry('runner/task-process-main'), env: childEnv });
    const messages: string[] = [];
    child.child.on('message', (message: { type: string }) => messages.push(message.type));
    try {
      await child.run(workload('pid'), {}, 5_000);
      expect(messages).toEqual(['ready', 'finished']);
      messages.length = 0;
      await child.run(workload('pid', { executionTimeoutMs: 60_000 }), { onStarted: () => undefined }, 5_000);
      expect(messages).toEqual(['started', 'executing', 'finished']);
    } finally {
      child.shutdown();
      await new Promise<void>((resolve) => child.onExit(resolve));
    }
  });

  it('recycles a child whose memory exceeds maxMemoryMb, and queues tries beyond its size', async () => {
    const pool = new TaskProcessPool({ size: 1, env: childEnv, maxMemoryMb: 1 });
    try {
      const results = await Promise.all([pool.run(workload('pid')), pool.run(workload('pid'))]);
      const pids = results.map((r) => (r.kind === 'finished' ? r.outcome.xcoms?.return_value : null));
      expect(typeof pids[0]).toBe('number');
      expect(typeof pids[1]).toBe('number');
      expect(pids[0]).not.toBe(pids[1]);
    } finally {
      await pool.close(10_000);
    }
  });

  it('close() lets children exit and later runs report lost', async () => {
    const pool = new TaskProcessPool({ size: 2, env: childEnv });
    const first = await pool.run(workload('pid'));
    const pid = first.kind === 'finished' ? (first.outcome.xcoms?.return_value as number) : 0;
    expect(isProcessAlive(pid)).toBe(true);
    await pool.close(10_000);
    expect(isProcessAlive(pid)).toBe(false);
    expect(pool.pids()).toEqual([]);
    expect(await pool.run(workload('pid'))).toMatchObject({ kind: 'lost', reason: 'task process pool is closed' });
  });

  /** The one process this pool has ready and idle, set aside (polled: it may still be starting). */
  const reserveOne = (pool: TaskProcessPool): Promise<TaskProcess> =>
    eventually(
      () => {
        const reserved = pool.reserveReady(1);
        return reserved.length === 1 && reserved[0];
      },
      { what: 'a ready task process' },
    );

  it('sets aside only ready idle processes, places no other try on them, runs the try handed over there', async () => {
    const pool = new TaskProcessPool({ size: 2, env: childEnv });
    try {
      // Nothing started yet: no process is ready, so none can be set aside.
      expect(pool.reserveReady(1)).toEqual([]);
      pool.prewarm(1);
      const reserved = await reserveOne(pool);
      // Held back: another try gets a process of its own, and only that one can be set aside now.
      const other = await pool.run(workload('pid'));
      expect(other).toMatchObject({ kind: 'finished', outcome: { state: 'success' } });
      expect(other.pid).not.toBe(reserved.pid);
      const more = pool.reserveReady(2);
      expect(more.map((child) => child.pid)).toEqual([other.pid]);
      for (const child of more) pool.unreserve(child);
      // The try handed over runs in the process set aside for it (the task returns its pid).
      expect(await pool.run(workload('pid'), {}, reserved)).toMatchObject({
        kind: 'finished',
        pid: reserved.pid,
        outcome: { state: 'success', xcoms: { return_value: reserved.pid } },
      });
    } finally {
      await pool.close(10_000);
    }
  });

  it('gives back a process set aside and not used, and ends a try handed to one that died as lost', async () => {
    const pool = new TaskProcessPool({ size: 1, env: childEnv });
    try {
      pool.prewarm(1);
      let child = await reserveOne(pool);
      // Size 1 and its one process set aside: a try waits until the process is given back.
      const waiting = pool.run(workload('pid'));
      pool.unreserve(child);
      expect(await waiting).toMatchObject({ kind: 'finished', pid: child.pid });

      child = await reserveOne(pool);
      child.kill('killed by the test');
      await new Promise<void>((resolve) => child.onExit(resolve));
      expect(await pool.run(workload('pid'), {}, child)).toMatchObject({
        kind: 'lost',
        reason: expect.stringMatching(/exited before the try reached it/),
      });
    } finally {
      await pool.close(10_000);
    }
  });

  it('kills the bash of a try whose process was killed from outside before reporting the try lost', async () => {
    const pool = new TaskProcessPool({ size: 1, env: childEnv });
    const pidFile = path.join(env.home, 'sleepy.pid');
    let bash: number | null = null;
    try {
      let onStarted!: (pid: number) => void;
      const started = new Promise<number>((resolve) => (onStarted = resolve));
      const result = pool.run(workload('sleepy', { conf: { pidFile } }), { onStarted });
      const taskProcess = await started;
      bash = await eventually(() => Number(fs.readFileSync(pidFile, 'utf8').trim()) || false, {
        what: 'bash to write its pid',
      });
      // As the OOM killer does: the task process alone; its bash, in a session of its own, goes on.
      process.kill(taskProcess, 'SIGKILL');
      expect(await result).toMatchObject({
        kind: 'lost',
        reason: expect.stringMatching(/SIGKILL.*; killed 1 processes of the try it left running$/),
      });
      // Gone by the time the loss is reported: a retry cannot overlap it.
      expect(isProcessRunning(bash)).toBe(false);
    } finally {
      if (bash !== null && isProcessRunning(bash)) process.kill(bash, 'SIGKILL');
      await pool.close(10_000);
    }
  });

  it('rejects a pool size that is not a positive integer', () => {
    expect(() => new TaskProcessPool({ size: 0 })).toThrow('task process pool size must be a positive integer, got 0');
  });
});

describe('a task process whose parent dies', () => {
  const env = makeTempHome('dagctl-orphan-');
  afterAll(() => env.remove());

  it('stops its task (subprocesses included) and exits', async () => {
    const file = writeDagFile(
      env.dags,
      'orphan.ts',
      `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('orphan', { schedule: null });
new BashOperator({ taskId: 'long', dag, bashCommand: 'echo $$ > "{{ dag_run.conf.pidFile }}"; sleep 120' });
export default dag;`,
    );
    const pidFile = path.join(env.home, 'bash.pid');
    const w = makeWorkload(file, 'orphan', 'long', { conf: { pidFile } });
    const script = `
const { TaskProcessPool } = require(${JSON.stringify(POOL_MODULE)});
const pool = new TaskProcessPool({ size: 1, env: { ...process.env, DAGCTL_HOME: ${JSON.stringify(env.home)} } });
pool.run(${JSON.stringify(w)}, { onStarted: (pid) => console.log('child ' + pid) });`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /child (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      parent.on('exit', () => reject(new Error(`parent exited early: ${out}`)));
    });
    await eventually(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', {
      what: 'bash to write its pid',
      timeoutMs: 60_000,
    });
    const bashPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(isProcessAlive(bashPid)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(() => !isProcessAlive(childPid), { what: `task process ${childPid} to exit`, timeoutMs: 60_000 });
    await eventually(() => !isProcessAlive(bashPid), { what: `bash ${bashPid} to exit`, timeoutMs: 60_000 });
  });
});
