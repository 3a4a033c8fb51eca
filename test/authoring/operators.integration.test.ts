import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAG } from '../../src/authoring/dag';
import { BashOperator } from '../../src/authoring/operators/bash-operator';
import { BranchOperator } from '../../src/authoring/operators/branch-operator';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { FunctionOperator } from '../../src/authoring/operators/function-operator';
import { ShortCircuitOperator } from '../../src/authoring/operators/short-circuit-operator';
import { signalOf } from '../../src/core/task-signals';
import { eventually } from '../helpers/eventually';
import { fakeTaskContext } from './helpers/fake-task-context';

/** Capture what a task writes to process.stdout / process.stderr. */
async function captureOutput<T>(
  run: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    return { result: await run(), stdout, stderr };
  } catch (error) {
    return { error, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('EmptyOperator', () => {
  test('does nothing and pushes no XCom', async () => {
    const task = new EmptyOperator({ taskId: 'e', dag: new DAG('d') });
    expect(await task.execute()).toBeUndefined();
    expect(task.toOutcome(undefined)).toEqual({});
  });
});

describe('BashOperator', () => {
  const dag = new DAG('bash');
  let n = 0;
  const bash = (options: Record<string, unknown>): BashOperator =>
    new BashOperator({ taskId: `b${n++}`, dag, ...options } as never);

  test('streams output and returns the last non-empty stdout line', async () => {
    const { result, stdout, stderr } = await captureOutput(() =>
      bash({ bashCommand: 'echo one; echo two >&2; echo three; echo' }).execute(fakeTaskContext()),
    );
    expect(result).toBe('three');
    expect(stdout).toBe('one\nthree\n\n');
    expect(stderr).toBe('two\n');
  });

  test('a last line without a newline counts; no output returns undefined', async () => {
    expect(
      (await captureOutput(() => bash({ bashCommand: 'printf "a\\nlast"' }).execute(fakeTaskContext()))).result,
    ).toBe('last');
    expect(
      (await captureOutput(() => bash({ bashCommand: 'true' }).execute(fakeTaskContext()))).result,
    ).toBeUndefined();
  });

  test('exit 99 skips, other non-zero codes fail', async () => {
    const skipped = await captureOutput(() => bash({ bashCommand: 'exit 99' }).execute(fakeTaskContext()));
    expect(signalOf(skipped.error)).toBe('skip');
    const failed = await captureOutput(() => bash({ bashCommand: 'exit 3' }).execute(fakeTaskContext()));
    expect(failed.error).toHaveProperty('message', 'Bash command failed with exit code 3');
    expect(signalOf(failed.error)).toBeNull();
  });

  test('env is merged over the environment unless appendEnv is false; run facts are exported', async () => {
    process.env.H1_TEST_INHERITED = 'inherited';
    try {
      const merged = await captureOutput(() =>
        bash({
          bashCommand:
            'echo "$H1_TEST_INHERITED/$MINE/$DAGCTL_CTX_TRY_NUMBER/$DAGCTL_CTX_MAP_INDEX/$DAGCTL_CTX_SUPERVISOR_PID"',
          env: { MINE: 'mine' },
        }).execute(fakeTaskContext({ tryNumber: 2, mapIndex: 3 })),
      );
      expect(merged.result).toBe(`inherited/mine/2/3/${process.pid}`);
      const only = await captureOutput(() =>
        bash({ bashCommand: 'echo "[$H1_TEST_INHERITED][$MINE]"', env: { MINE: 'mine' }, appendEnv: false }).execute(
          fakeTaskContext(),
        ),
      );
      expect(only.result).toBe('[][mine]');
    } finally {
      delete process.env.H1_TEST_INHERITED;
    }
  });

  test('runs in cwd; a missing cwd fails clearly', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'dagctl-bash-')));
    expect((await captureOutput(() => bash({ bashCommand: 'pwd', cwd: dir }).execute(fakeTaskContext()))).result).toBe(
      dir,
    );
    const missing = await captureOutput(() =>
      bash({ bashCommand: 'pwd', cwd: join(dir, 'nope') }).execute(fakeTaskContext()),
    );
    expect(missing.error).toHaveProperty('message', `cwd '${join(dir, 'nope')}' is not an existing directory`);
  });

  test('large output is streamed, not lost', async () => {
    const { result, stdout } = await captureOutput(() =>
      bash({ bashCommand: 'seq 1 200000' }).execute(fakeTaskContext()),
    );
    expect(result).toBe('200000');
    expect(stdout.length).toBeGreaterThan(1_000_000);
  });

  test('aborting kills the whole process group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dagctl-bash-'));
    const pidFile = join(dir, 'pids');
    const controller = new AbortController();
    const running = captureOutput(() =>
      bash({ bashCommand: `sleep 60 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; wait` }).execute(
        fakeTaskContext({ signal: controller.signal }),
      ),
    );
    await eventually(() => expect(readFileSync(pidFile, 'utf8').trim().split('\n')).toHaveLength(2), {
      what: 'bash and sleep to write their pids',
    });
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    controller.abort(new Error('execution timeout'));
    const { error } = await running;
    expect(error).toHaveProperty('message', 'Bash command was killed: execution timeout');
    await eventually(() => pids.every((pid) => !isAlive(pid)), { what: `${pids.join(', ')} to be gone` });
  });

  test('withRenderedFields returns a rendered copy and leaves the task untouched', async () => {
    const task = bash({ bashCommand: 'echo "{{ ds }}"', env: { A: '{{ params.a }}' } });
    const rendered = task.withRenderedFields({ bashCommand: 'echo "2026-01-02"', env: { A: 'x' } });
    expect(rendered).not.toBe(task);
    expect(rendered).toBeInstanceOf(BashOperator);
    expect(rendered.bashCommand).toBe('echo "2026-01-02"');
    expect(rendered.env).toEqual({ A: 'x' });
    expect(rendered.taskId).toBe(task.taskId);
    expect(rendered.retries).toBe(task.retries);
    expect(task.bashCommand).toBe('echo "{{ ds }}"');
    expect(task.env).toEqual({ A: '{{ params.a }}' });
    expect(dag.getTask(task.taskId)).toBe(task);
    expect((await captureOutput(() => rendered.execute(fakeTaskContext()))).result).toBe('2026-01-02');
    expect(() => task.withRenderedFields({ retries: 5 })).toThrow("'retries' is not a templated field of BashOperator");
  });
});

describe('FunctionOperator', () => {
  test('calls fn(ctx, args), awaits it and returns its value as XCom', async () => {
    const dag = new DAG('fn');
    const task = new FunctionOperator({
      taskId: 'f',
      args: { greeting: 'hi' },
      fn: async (ctx, args: { greeting: string }) => `${args.greeting} ${ctx.ds}`,
      dag,
    });
    const result = await task.execute(fakeTaskContext());
    expect(result).toBe('hi 2026-01-02');
    expect(task.toOutcome(result)).toEqual({ xcoms: { return_value: 'hi 2026-01-02' } });
    expect(task.toOutcome(undefined)).toEqual({});
    const rendered = task.withRenderedFields({ args: { greeting: 'hello' } });
    expect(await rendered.execute(fakeTaskContext())).toBe('hello 2026-01-02');
  });

  test('errors thrown by fn fail the task', async () => {
    const task = new FunctionOperator({
      taskId: 'f',
      fn: () => {
        throw new Error('bad');
      },
      dag: new DAG('fn_err'),
    });
    await expect(task.execute(fakeTaskContext())).rejects.toThrow('bad');
  });
});

describe('BranchOperator', () => {
  function branchDag(pick: () => string | string[] | null): BranchOperator {
    const dag = new DAG(`branch_${Math.random().toString(36).slice(2)}`);
    const branch = new BranchOperator({ taskId: 'branch', fn: pick, dag });
    branch.then([new EmptyOperator({ taskId: 'left', dag }), new EmptyOperator({ taskId: 'right', dag })]);
    new EmptyOperator({ taskId: 'far', dag }).setUpstream(dag.getTask('left'));
    return branch;
  }

  test('follows the returned direct downstream task(s)', async () => {
    const one = branchDag(() => 'left');
    const result = await one.execute(fakeTaskContext());
    expect(result).toEqual(['left']);
    expect(one.toOutcome(result)).toEqual({ xcoms: { return_value: ['left'] }, followTaskIds: ['left'] });
    const both = branchDag(() => ['left', 'right']);
    expect(both.toOutcome(await both.execute(fakeTaskContext())).followTaskIds).toEqual(['left', 'right']);
    const none = branchDag(() => null);
    expect(none.toOutcome(await none.execute(fakeTaskContext())).followTaskIds).toEqual([]);
  });

  test('an id that is not a direct downstream task fails clearly', async () => {
    await expect(branchDag(() => 'far').execute(fakeTaskContext())).rejects.toThrow(
      "BranchOperator 'branch': 'far' is not a direct downstream task of 'branch' (direct downstream: left, right)",
    );
  });
});

describe('ShortCircuitOperator', () => {
  test('a falsy result skips downstream, a truthy one continues', async () => {
    const dag = new DAG('short');
    const gate = new ShortCircuitOperator({ taskId: 'gate', fn: (ctx) => ctx.params.go, dag });
    const no = await gate.execute(fakeTaskContext({ params: { go: false } }));
    expect(gate.toOutcome(no)).toEqual({ xcoms: { return_value: false }, skipDownstream: true });
    const yes = await gate.execute(fakeTaskContext({ params: { go: true } }));
    expect(gate.toOutcome(yes)).toEqual({ xcoms: { return_value: true } });
    expect(gate.toOutcome(undefined)).toEqual({ skipDownstream: true });
  });
});
