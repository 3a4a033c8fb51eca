import { DAG, EmptyOperator, FunctionOperator } from 'dagctl';

const dag = new DAG('hello_world', {
  description: 'Simple tutorial DAG',
  schedule: '0 12 * * *',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  defaultArgs: { retries: 1, retryDelay: '5m' },
  tags: ['example'],
});

const dummy = new EmptyOperator({ taskId: 'dummy_task', retries: 3, dag });
const hello = new FunctionOperator({ taskId: 'hello_task', fn: () => 'Hello world!', dag });

dummy.then(hello);

export default dag;
