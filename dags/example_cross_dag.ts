/**
 * Cross-DAG operators and sensors: `example_cross_dag_producer` writes a file; the consumer waits
 * for it (FileSensor), for the producer's task at the same logical date (ExternalTaskSensor), then
 * triggers `example_cross_dag_report` with a templated conf and waits for it to finish — in
 * reschedule style, so the wait holds no worker or pool slot.
 */
import {
  BashOperator,
  DAG,
  ExternalTaskSensor,
  FileSensor,
  FunctionOperator,
  TimeDeltaSensor,
  TriggerDagRunOperator,
} from 'dagctl';

export const producer = new DAG('example_cross_dag_producer', {
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  tags: ['example'],
});
new BashOperator({
  taskId: 'export',
  bashCommand: 'mkdir -p /tmp/dagctl-example && echo "id,amount" > /tmp/dagctl-example/{{ ds }}-orders.csv',
  dag: producer,
});

export const consumer = new DAG('example_cross_dag_consumer', {
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  tags: ['example'],
});
const settle = new TimeDeltaSensor({ taskId: 'settle', delta: '5m', mode: 'reschedule', dag: consumer });
const exported = new ExternalTaskSensor({
  taskId: 'wait_for_export',
  externalDagId: 'example_cross_dag_producer',
  externalTaskId: 'export',
  failedStates: ['failed'],
  mode: 'reschedule',
  pokeInterval: '30s',
  exponentialBackoff: true,
  maxWait: '10m',
  dag: consumer,
});
const file = new FileSensor({
  taskId: 'wait_for_file',
  filepath: '/tmp/dagctl-example/{{ ds }}-*.csv',
  mode: 'reschedule',
  pokeInterval: '30s',
  dag: consumer,
});
const report = new TriggerDagRunOperator({
  taskId: 'trigger_report',
  triggerDagId: 'example_cross_dag_report',
  conf: { day: '{{ ds }}' },
  waitForCompletion: true,
  pokeInterval: '15s',
  dag: consumer,
});
settle.then(exported).then(file).then(report);

export const reportDag = new DAG('example_cross_dag_report', {
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tags: ['example'],
});
new FunctionOperator({ taskId: 'summarise', fn: (ctx) => `report for ${String(ctx.dagRun.conf.day)}`, dag: reportDag });
