import { BashOperator, DAG, task } from 'dagctl';

/**
 * extract → transform → load with typed data between the steps: each step's parameter types are
 * the previous step's return type, checked by `tsc` (and `dagctl dags check`) before anything runs.
 */
interface Order {
  id: string;
  amount: number;
}

interface Summary {
  orders: number;
  revenue: number;
}

const dag = new DAG('example_typed_pipeline', {
  description: 'Typed tasks: extract → transform → load, each receiving the previous typed output',
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
});

const extract = task({ taskId: 'extract', dag }, async (ctx): Promise<Order[]> => {
  ctx.log.info(`extracting orders of ${ctx.ds}`);
  return [
    { id: 'o-1', amount: 12.5 },
    { id: 'o-2', amount: 30 },
    { id: 'o-3', amount: 7.5 },
  ];
});

const transform = task({ taskId: 'transform', dag }, (_ctx, orders: Order[]): Summary => ({
  orders: orders.length,
  revenue: orders.reduce((sum, order) => sum + order.amount, 0),
}));

const load = task({ taskId: 'load', dag }, (ctx, summary: Summary) => {
  ctx.log.info(`loading ${summary.orders} orders, revenue ${summary.revenue.toFixed(2)}`);
  return `loaded ${summary.orders} orders (${summary.revenue.toFixed(2)})`;
});

const loaded = load(transform(extract()));

// A classic operator can read a typed output through its template, and follow it with `.then()`.
const announce = new BashOperator({ taskId: 'announce', bashCommand: `echo "${loaded.template}"`, dag });
loaded.task.then(announce);

export default dag;
