import { BashOperator, DAG, dataset, task } from 'dagctl';

/**
 * Updates two datasets: a typed task declares the dataset it produces next to its output, a bash
 * task through `outlets`. Each success records a dataset event; `example_dataset_consumer` runs
 * once both datasets were updated.
 */
const orders = dataset('s3://example-bucket/orders');
const customers = dataset('s3://example-bucket/customers');

const dag = new DAG('example_dataset_producer', {
  description: 'Datasets: updates s3://example-bucket/orders and s3://example-bucket/customers',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example', 'datasets'],
});

const writeOrders = task({ taskId: 'write_orders', dag, outlets: [orders] }, (ctx): number => {
  ctx.log.info(`writing orders of ${ctx.ds} to ${orders.uri}`);
  return 3;
});

const writeCustomers = new BashOperator({
  taskId: 'write_customers',
  bashCommand: `echo "writing customers to ${customers.uri}"`,
  outlets: [customers],
  dag,
});

writeOrders().task.then(writeCustomers);

export default dag;
