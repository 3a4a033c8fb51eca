import fs from 'node:fs';
import path from 'node:path';
import { runTask } from '../../src/runner/run-task';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

/** Callbacks run in the task's process after the try, chosen by what the scheduler will do next. */
describe('task callbacks', () => {
  const env = makeTempHome();
  const marks = path.join(env.dags, 'marks.txt');
  const file = writeDagFile(
    env.dags,
    'callbacks_dag.ts',
    `
import fs from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const mark = (what: string) => (ctx: any, err?: Error) => {
  const line = what + ':' + ctx.taskId + ':' + ctx.tryNumber + ':' + (err ? err.message : '-') + '\\n';
  fs.appendFileSync(${JSON.stringify(marks)}, line);
};
const callbacks = {
  onSuccessCallback: mark('success'),
  onFailureCallback: mark('failure'),
  onRetryCallback: mark('retry'),
};
const dag = new DAG('callbacks_dag', { schedule: null });
new FunctionOperator({ taskId: 'good', dag, fn: () => 1, ...callbacks });
new FunctionOperator({ taskId: 'bad', dag, retries: 1, fn: () => { throw new Error('nope'); }, ...callbacks });
new FunctionOperator({ taskId: 'bad_callback', dag, fn: () => 2, onSuccessCallback: () => {
  throw new Error('callback broke');
} });
export default dag;
`,
  );
  const options = { baseLogFolder: env.logs, logMaxBytes: 1024 * 1024 };
  afterAll(() => env.remove());

  it('calls onSuccess, onRetry while tries remain, then onFailure; a failing callback changes nothing', async () => {
    expect((await runTask(makeWorkload(file, 'callbacks_dag', 'good'), options)).state).toBe('success');
    expect(
      (await runTask(makeWorkload(file, 'callbacks_dag', 'bad', { tryNumber: 1, maxTries: 1 }), options)).state,
    ).toBe('failed');
    expect(
      (await runTask(makeWorkload(file, 'callbacks_dag', 'bad', { tryNumber: 2, maxTries: 1 }), options)).state,
    ).toBe('failed');
    expect(fs.readFileSync(marks, 'utf8').trim().split('\n')).toEqual([
      'success:good:1:-',
      'retry:bad:1:nope',
      'failure:bad:2:nope',
    ]);
    const outcome = await runTask(makeWorkload(file, 'callbacks_dag', 'bad_callback'), options);
    expect(outcome.state).toBe('success');
  });
});
