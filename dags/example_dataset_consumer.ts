import { DAG, dataset, FunctionOperator } from 'dagctl';

/**
 * Scheduled on two datasets: runs (run_type `dataset_triggered`) once each of them was updated
 * since its last such run — by `example_dataset_producer`, or from outside with
 * `dagctl datasets emit s3://example-bucket/orders`.
 */
const dag = new DAG('example_dataset_consumer', {
  description: 'Datasets: runs when both s3://example-bucket/orders and …/customers were updated',
  schedule: [dataset('s3://example-bucket/orders'), dataset('s3://example-bucket/customers')],
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example', 'datasets'],
});

new FunctionOperator({
  taskId: 'report',
  dag,
  fn: (ctx) => {
    for (const event of ctx.triggeringDatasetEvents)
      ctx.log.info(`triggered by ${event.datasetUri} at ${event.timestamp} from ${event.sourceDagId ?? 'outside'}`);
    return ctx.triggeringDatasetEvents.length;
  },
});

export default dag;
