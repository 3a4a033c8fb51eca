import { DAG, EmptyOperator, FunctionOperator } from 'dagctl';

/** start → four parallel parts → join, which sums what the parts returned (XComs). */
const dag = new DAG('example_fan_out_fan_in', {
  description: 'Fan out to parallel tasks, then fan in and combine their results',
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
});

const start = new EmptyOperator({ taskId: 'start', dag });

const parts = [1, 2, 3, 4].map((n) => new FunctionOperator({ taskId: `part_${n}`, fn: () => n * 10, dag }));

const join = new FunctionOperator({
  taskId: 'join',
  fn: (ctx) => {
    const total = parts.reduce((sum, part) => sum + (ctx.xcomPull<number>(part.taskId) ?? 0), 0);
    ctx.log.info(`sum of parts: ${total}`);
    return total;
  },
  dag,
});

start.then(parts);
join.setUpstream(parts);

export default dag;
