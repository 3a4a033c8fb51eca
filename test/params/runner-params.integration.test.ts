import { runTask } from '../../src/runner/run-task';
import { makeTempHome, makeWorkload, writeDagFile } from '../runner/fixtures';

const DAG_SOURCE = `
import { BashOperator, DAG, FunctionOperator, param } from 'dagctl';
const dag = new DAG('runner_params', {
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  params: {
    n: param(1, { type: 'integer', minimum: 0 }),
    mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
    plain: 'x',
  },
});
new FunctionOperator({ taskId: 'seen', dag, fn: (ctx) => ({ params: ctx.params, conf: ctx.dagRun.conf }) });
new BashOperator({
  taskId: 'templated',
  dag,
  bashCommand: 'echo "{{ params.n }} {{ params.mode }} {{ params.plain }}"',
});
export default dag;
`;

describe('params in the runner', () => {
  const env = makeTempHome();
  const file = writeDagFile(env.dags, 'runner_params.ts', DAG_SOURCE);
  const options = { baseLogFolder: env.logs, logMaxBytes: 1024 * 1024 };
  const workload = (taskId: string, conf: Record<string, unknown>) =>
    makeWorkload(file, 'runner_params', taskId, { conf });
  afterAll(() => env.remove());

  it('a task sees the defaults (not the schema objects) with the conf merged over them', async () => {
    const outcome = await runTask(workload('seen', { n: 5, extra: true }), options);
    expect(outcome.xcoms?.return_value).toEqual({
      params: { n: 5, mode: 'a', plain: 'x', extra: true },
      conf: { n: 5, extra: true },
    });
    const templated = await runTask(workload('templated', { mode: 'b' }), options);
    expect(templated.xcoms?.return_value).toBe('1 b x');
  });

  it('with core.dag_run_conf_overrides_params false, params stay at their defaults', async () => {
    const outcome = await runTask(workload('seen', { n: 5 }), { ...options, confOverridesParams: false });
    expect(outcome.xcoms?.return_value).toEqual({ params: { n: 1, mode: 'a', plain: 'x' }, conf: { n: 5 } });
  });
});
