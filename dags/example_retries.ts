import { DAG, FunctionOperator } from 'dagctl';

/** A flaky task: the first try fails, the retry (1 s later) succeeds. */
const dag = new DAG('example_retries', {
  description: 'A task that fails on its first try and succeeds when retried',
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
});

new FunctionOperator({
  taskId: 'flaky',
  retries: 2,
  retryDelay: '1s',
  fn: (ctx) => {
    if (ctx.tryNumber === 1) throw new Error('transient failure on try 1');
    return `succeeded on try ${ctx.tryNumber}`;
  },
  dag,
});

export default dag;
